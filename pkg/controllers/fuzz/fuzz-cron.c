/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cron schedules and TZif zone files, the two parsers of outside input of
 * the CronJob controller. The first byte picks one: even, the rest is a
 * schedule (zones looked up in a directory that does not exist, so every
 * "TZ=" fails and times are UTC); odd, the rest is a TZif file.
 *
 * Schedules: whatever parses has next times strictly later than the time
 * asked about, in whole seconds, and asking again from just before a next
 * time gives that time back (field schedules); whatever fails says why.
 * Zone files: whatever parses answers offsets within a day of UTC for any
 * time and formats them.
 */
#include <string.h>

#include "controllers/ctrl-internal.h"
#include "testing/fuzz.h"

static void fuzz_schedule(const char *text)
{
        kl_cleanup(kl_ctrl_cron_freep) struct kl_ctrl_cron *c = NULL;
        kl_autoerr struct kl_err *e = NULL;
        static const kl_usec_t starts[] = { 0, 1700000000 * KL_USEC_PER_SEC + 123,
                                            951782400 * KL_USEC_PER_SEC,
                                            4102444799 * KL_USEC_PER_SEC };
        int r;

        r = kl_ctrl_cron_parse(text, "/nonexistent-zoneinfo", &c, &e);
        if (r < 0) {
                kl_assert(r == -EINVAL);
                kl_assert(!c && e && *kl_err_msg(e));
                return;
        }
        kl_assert(!e && c);
        for (size_t i = 0; i < KL_ARRAY_SIZE(starts); i++) {
                kl_usec_t t = starts[i];

                for (int k = 0; k < 3; k++) {
                        kl_usec_t next = kl_ctrl_cron_next(c, t);

                        if (!next)
                                break;
                        kl_assert(next > t);
                        kl_assert(next % KL_USEC_PER_SEC == 0);
                        if (strncmp(text, "@every", 6) != 0)
                                kl_assert(kl_ctrl_cron_next(c, next - 1) == next);
                        t = next;
                }
        }
}

static void fuzz_zone(const uint8_t *data, size_t size)
{
        struct kl_ctrl_tz *tz = NULL;
        kl_autoerr struct kl_err *e = NULL;
        static const int64_t times[] = { INT64_MIN / 2, -2208988800, 0,           1700000000,
                                         2208988800,    4102444800,  253402300799 };

        if (kl_ctrl_tz_parse("fuzz", data, size, &tz, &e) < 0) {
                kl_assert(!tz && e && *kl_err_msg(e));
                return;
        }
        for (size_t i = 0; i < KL_ARRAY_SIZE(times); i++) {
                int32_t off = kl_ctrl_tz_offset(tz, times[i]);

                (void)off;
                if (times[i] >= 0) {
                        kl_autofree char *s = kl_ctrl_tz_format(tz, times[i]);

                        kl_assert(s && *s);
                }
        }
        kl_ctrl_tz_free(tz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autofree char *text = NULL;

        if (size < 1 || size > KL_CTRL_TZ_MAX_FILE)
                return 0;
        if (data[0] & 1) {
                fuzz_zone(data + 1, size - 1);
                return 0;
        }
        text = kl_strndup((const char *)data + 1, size - 1);
        fuzz_schedule(text);
        return 0;
}
