/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name validators with upstream's messages. Upstream matches regular
 * expressions; these are the same languages written as loops over bytes (Go
 * regexps see a string's bytes the same way here, since every allowed
 * character is ASCII), so a non-ASCII byte simply fails the class it is in.
 *
 * The messages are fixed text users read in kubectl output and tests compare
 * verbatim: the doubled blank after each example ("'MyName',  or") is
 * upstream's own.
 */
#include "api/selector.h"

#include <stdbool.h>
#include <string.h>

#include "base/alloc.h"
#include "base/str.h"

#define QNAME_MAX_LEN             63
#define LABEL_VALUE_MAX_LEN       63
#define DNS1123_LABEL_MAX_LEN     63
#define DNS1123_SUBDOMAIN_MAX_LEN 253
#define DNS1035_LABEL_MAX_LEN     63

#define QNAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define QNAME_MSG                                                                                   \
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " \
        "alphanumeric character"
#define QNAME_EXAMPLES  "(e.g. 'MyName',  or 'my.name',  or '123-abc', "
#define QNAME_REGEX_MSG QNAME_MSG " " QNAME_EXAMPLES "regex used for validation is '" QNAME_FMT "')"

#define LABEL_VALUE_MSG                                                                          \
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' " \
        "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "    \
        "'my_value',  or '12345', regex used for validation is '(" QNAME_FMT ")?')"

#define DNS1123_LABEL_FMT "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define DNS1123_LABEL_MSG                                                                        \
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " \
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " \
        "regex used for validation is '" DNS1123_LABEL_FMT "')"

#define DNS1123_SUBDOMAIN_MSG                                                                        \
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or " \
        "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "     \
        "used for validation is '" DNS1123_LABEL_FMT "(\\." DNS1123_LABEL_FMT ")*')"

#define DNS1035_LABEL_MSG                                                                            \
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an " \
        "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "         \
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

static bool is_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static bool match_qname(const char *s, size_t n)
{
        if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
                return false;
        for (size_t i = 1; i + 1 < n; i++)
                if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
                        return false;
        return true;
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? */
static bool match_dns1123_label(const char *s, size_t n)
{
        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        for (size_t i = 1; i + 1 < n; i++)
                if (!is_lower_alnum(s[i]) && s[i] != '-')
                        return false;
        return true;
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)* */
static bool match_dns1123_subdomain(const char *s, size_t n)
{
        size_t start = 0;

        for (size_t i = 0; i <= n; i++) {
                if (i < n && s[i] != '.')
                        continue;
                if (!match_dns1123_label(s + start, i - start))
                        return false;
                start = i + 1;
        }
        return true;
}

static size_t add(char ***msgs, const char *prefix, const char *msg)
{
        if (msgs)
                kl_strv_push_take(msgs, kl_asprintf("%s%s", prefix, msg));
        return 1;
}

static size_t add_max_len(char ***msgs, const char *prefix, size_t max)
{
        if (msgs)
                kl_strv_push_take(
                        msgs, kl_asprintf("%smust be no more than %zu characters", prefix, max));
        return 1;
}

static size_t check_dns1123_subdomain(const char *value, const char *prefix, char ***msgs)
{
        size_t n = strlen(value), count = 0;

        if (n > DNS1123_SUBDOMAIN_MAX_LEN)
                count += add_max_len(msgs, prefix, DNS1123_SUBDOMAIN_MAX_LEN);
        if (!match_dns1123_subdomain(value, n))
                count += add(msgs, prefix, DNS1123_SUBDOMAIN_MSG);
        return count;
}

size_t kl_api_validate_qualified_name(const char *value, char ***msgs)
{
        const char *slash = strchr(value, '/');
        const char *name = value;
        size_t count = 0, n;

        if (slash) {
                kl_autofree char *prefix = NULL;

                if (strchr(slash + 1, '/'))
                        return add(msgs, "a qualified name ",
                                   QNAME_REGEX_MSG " with an optional DNS subdomain prefix and '/' "
                                                   "(e.g. 'example.com/MyName')");
                prefix = kl_strndup(value, (size_t)(slash - value));
                if (!*prefix)
                        count += add(msgs, "prefix part ", "must be non-empty");
                else
                        count += check_dns1123_subdomain(prefix, "prefix part ", msgs);
                name = slash + 1;
        }
        n = strlen(name);
        if (n == 0)
                count += add(msgs, "name part ", "must be non-empty");
        else if (n > QNAME_MAX_LEN)
                count += add_max_len(msgs, "name part ", QNAME_MAX_LEN);
        if (!match_qname(name, n))
                count += add(msgs, "name part ", QNAME_REGEX_MSG);
        return count;
}

size_t kl_api_validate_label_value(const char *value, char ***msgs)
{
        size_t n = strlen(value), count = 0;

        if (n > LABEL_VALUE_MAX_LEN)
                count += add_max_len(msgs, "", LABEL_VALUE_MAX_LEN);
        if (n > 0 && !match_qname(value, n))
                count += add(msgs, "", LABEL_VALUE_MSG);
        return count;
}

size_t kl_api_validate_dns1123_subdomain(const char *value, char ***msgs)
{
        return check_dns1123_subdomain(value, "", msgs);
}

size_t kl_api_validate_dns1123_label(const char *value, char ***msgs)
{
        size_t n = strlen(value), count = 0;

        if (n > DNS1123_LABEL_MAX_LEN)
                count += add_max_len(msgs, "", DNS1123_LABEL_MAX_LEN);
        if (!match_dns1123_label(value, n)) {
                /* A valid subdomain that is no label can only hold dots: say so, as upstream. */
                if (match_dns1123_subdomain(value, n))
                        count += add(msgs, "", "must not contain dots");
                else
                        count += add(msgs, "", DNS1123_LABEL_MSG);
        }
        return count;
}

size_t kl_api_validate_dns1035_label(const char *value, char ***msgs)
{
        size_t n = strlen(value), count = 0;
        bool ok = n > 0 && value[0] >= 'a' && value[0] <= 'z' && is_lower_alnum(value[n - 1]);

        for (size_t i = 1; ok && i + 1 < n; i++)
                ok = is_lower_alnum(value[i]) || value[i] == '-';
        if (n > DNS1035_LABEL_MAX_LEN)
                count += add_max_len(msgs, "", DNS1035_LABEL_MAX_LEN);
        if (!ok)
                count += add(msgs, "", DNS1035_LABEL_MSG);
        return count;
}
