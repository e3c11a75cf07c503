/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Service allocators' pure half: CIDR and port ranges, the bitmap, the
 * stored RangeAllocation form.
 */
#include <criterion/criterion.h>

#include "apiserver/apiserver-internal.h"

Test(range, cidr)
{
        struct kl_apiserver__range r;
        uint32_t off;
        char buf[48];

        cr_assert_eq(kl_apiserver__range_parse_cidr("10.43.0.0/16", &r), 0);
        cr_expect_eq(r.size, 65536u);
        cr_expect(r.is_ip);
        kl_apiserver__range_format(&r, 1, buf, sizeof(buf));
        cr_expect_str_eq(buf, "10.43.0.1");
        kl_apiserver__range_format(&r, 10, buf, sizeof(buf));
        cr_expect_str_eq(buf, "10.43.0.10");
        cr_expect_eq(kl_apiserver__range_offset(&r, "10.43.1.2", &off), 0);
        cr_expect_eq(off, 258u);
        cr_expect_eq(kl_apiserver__range_offset(&r, "10.44.0.1", &off), -ERANGE);
        cr_expect_eq(kl_apiserver__range_offset(&r, "10.43.0.0", &off), -ERANGE);
        cr_expect_eq(kl_apiserver__range_offset(&r, "10.43.255.255", &off), -ERANGE);
        cr_expect_eq(kl_apiserver__range_offset(&r, "nope", &off), -EINVAL);

        /* A host address in the CIDR is masked to the network. */
        cr_assert_eq(kl_apiserver__range_parse_cidr("10.96.3.4/12", &r), 0);
        kl_apiserver__range_format(&r, 1, buf, sizeof(buf));
        cr_expect_str_eq(buf, "10.96.0.1");
        cr_expect_eq(kl_apiserver__range_parse_cidr("10.0.0.0/8", &r), -EINVAL);
        cr_expect_eq(kl_apiserver__range_parse_cidr("10.0.0.0/31", &r), -EINVAL);
        cr_expect_eq(kl_apiserver__range_parse_cidr("10.0.0.0", &r), -EINVAL);
        cr_expect_eq(kl_apiserver__range_parse_cidr("fd00::/64", &r), -EINVAL);
}

Test(range, ports)
{
        struct kl_apiserver__range r;
        uint32_t off;

        kl_apiserver__range_ports(30000, 32767, &r);
        cr_expect_eq(r.size, 2768u);
        cr_expect_str_eq(r.text, "30000-32767");
        cr_expect_eq(kl_apiserver__range_offset(&r, "30000", &off), 0);
        cr_expect_eq(off, 0u);
        cr_expect_eq(kl_apiserver__range_offset(&r, "32767", &off), 0);
        cr_expect_eq(kl_apiserver__range_offset(&r, "32768", &off), -ERANGE);
        cr_expect_eq(kl_apiserver__range_offset(&r, "29999", &off), -ERANGE);
}

Test(bitmap, take_skips_taken_and_reserved_until_full)
{
        struct kl_apiserver__bitmap b;
        static const uint32_t skip[] = { 1, 10 };
        uint32_t off;

        kl_apiserver__bitmap_init(&b, 16);
        for (int i = 0; i < 12; i++) {
                cr_assert_eq(kl_apiserver__bitmap_take_any(&b, 1, 15, skip, 2, &off), 0);
                cr_expect(off >= 1 && off < 15 && off != 1 && off != 10, "offset %u", off);
        }
        cr_expect(!kl_apiserver__bitmap_test(&b, 1));
        cr_expect(!kl_apiserver__bitmap_test(&b, 10));
        cr_expect_eq(kl_apiserver__bitmap_take_any(&b, 1, 15, skip, 2, &off), -ENOSPC);
        kl_apiserver__bitmap_set(&b, 7, false);
        cr_assert_eq(kl_apiserver__bitmap_take_any(&b, 1, 15, skip, 2, &off), 0);
        cr_expect_eq(off, 7u);
        kl_apiserver__bitmap_release(&b);
}

Test(bitmap, stored_form_round_trips)
{
        struct kl_apiserver__range r, other;
        struct kl_apiserver__bitmap b, back;
        json_auto_t *obj = NULL;
        json_auto_t *want = NULL;

        cr_assert_eq(kl_apiserver__range_parse_cidr("10.43.0.0/16", &r), 0);
        kl_apiserver__bitmap_init(&b, r.size);
        kl_apiserver__bitmap_set(&b, 1, true);
        kl_apiserver__bitmap_set(&b, 9, true);
        kl_apiserver__bitmap_set(&b, 65534, true);
        obj = kl_apiserver__bitmap_encode(&b, &r);
        want = json_pack("{sssssss[iii]}", "kind", "RangeAllocation", "apiVersion", "v1", "range",
                         "10.43.0.0/16", "allocated", 1, 9, 65534);
        cr_expect(json_equal(obj, want));
        cr_assert_eq(kl_apiserver__bitmap_decode(obj, &r, &back), 0);
        cr_expect(kl_apiserver__bitmap_test(&back, 9));
        cr_expect(kl_apiserver__bitmap_test(&back, 65534));
        cr_expect(!kl_apiserver__bitmap_test(&back, 2));
        kl_apiserver__bitmap_release(&back);

        /* Stored for another --service-cidr: rebuilt by the caller. */
        cr_assert_eq(kl_apiserver__range_parse_cidr("10.96.0.0/12", &other), 0);
        cr_expect_eq(kl_apiserver__bitmap_decode(obj, &other, &back), -ESTALE);
        kl_apiserver__bitmap_release(&back);
        kl_apiserver__bitmap_release(&b);
}
