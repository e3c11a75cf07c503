/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>

#include "base/base.h"

Test(str, prefix_suffix)
{
        cr_assert_str_eq(kl_startswith("--data-dir", "--"), "data-dir");
        cr_assert_null(kl_startswith("-x", "--"));
        cr_assert_str_eq(kl_endswith("a.yaml", ".yaml"), ".yaml");
        cr_assert_null(kl_endswith("yaml", ".yaml"));
}

Test(str, strv)
{
        kl_autostrv char **v = NULL;
        kl_autostrv char **c = NULL;
        kl_autostrv char **s = kl_strv_split("a,,b", ',');

        cr_assert_eq(kl_strv_length(v), 0);
        kl_strv_push(&v, "x");
        kl_strv_push(&v, "y");
        cr_assert_eq(kl_strv_length(v), 2);
        cr_assert(kl_strv_contains(v, "y"));
        cr_assert(!kl_strv_contains(v, "z"));
        c = kl_strv_copy(v);
        cr_assert_str_eq(c[1], "y");
        cr_assert_null(c[2]);
        cr_assert_eq(kl_strv_length(s), 3);
        cr_assert_str_eq(s[1], "");
        cr_assert_str_eq(s[2], "b");
}
