/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Golden tests of kl_nft_print(): each table of tables.h printed must equal
 * tests/data/<name>.nft, which is what nft 1.0.6 lists once the table is in
 * the kernel (test-nft-kernel.c checks that against the kernel itself).
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "base/base.h"
#include "nft/nft.h"
#include "tables.h"
#include "testing/testing.h"

Test(nft_print, golden)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(golden_tables); i++) {
                struct kl_nft_table *t = golden_tables[i].build();
                kl_autofree char *file = kl_asprintf("%s.nft", golden_tables[i].name);
                kl_autofree char *path = kl_test_data_path("nft", file);
                kl_autofree char *want = kl_test_read_file(path);
                kl_autobuf struct kl_buf got = KL_BUF_INIT;

                kl_nft_print(t, &got);
                if (getenv("KL_NFT_WRITE_GOLDEN"))
                        kl_assert(kl_write_file_atomic(path, got.buf, got.len, 0644, 0) == 0);
                cr_expect_str_eq(got.buf, want, "%s: got\n%s", golden_tables[i].name, got.buf);
                kl_nft_table_free(t);
        }
}

Test(nft_print, numgen_map_is_not_listed_and_rules_print_in_order)
{
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_IP, "t");
        struct kl_nft_chain *c = kl_nft_chain_add(t, "c");
        const char *chains[] = { "x" };
        struct kl_nft_verdict x = { KL_NFT_GOTO, "x" };
        kl_autobuf struct kl_buf got = KL_BUF_INIT;

        kl_nft_numgen_vmap(kl_nft_rule_add(c), chains, 1);
        kl_nft_verdict(kl_nft_rule_add(c), &x);
        (void)kl_nft_chain_add(t, "x");
        kl_nft_print(t, &got);
        cr_assert_str_eq(got.buf, "table ip t {\n"
                                  "\tchain c {\n"
                                  "\t\tnumgen random mod 1 vmap { 0 : goto x }\n"
                                  "\t\tgoto x\n"
                                  "\t}\n"
                                  "\n"
                                  "\tchain x {\n"
                                  "\t}\n"
                                  "}\n");
        kl_nft_table_free(t);
}
