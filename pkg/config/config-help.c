/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --help, generated from the flag table, in the shape k3s users know from
 * urfave/cli: each flag with its value name, its help, its default and its
 * environment variables, grouped by what they configure.
 */
#include "config/config.h"

#include <string.h>

#include "base/base.h"
#include "config/config-internal.h"

/* Help is wrapped for a terminal of this width; it is also what the golden test compares. */
#define HELP_WIDTH 100
/* A flag column wider than this puts the description on the next line instead. */
#define LEFT_MAX 36
/* The group of flags that name none; --help itself goes here too. */
#define DEFAULT_GROUP "Options"

void kl_config__metavar(const struct kl_config_flag *f, struct kl_buf *out)
{
        if (f->metavar) {
                (void)kl_buf_puts(out, f->metavar);
                return;
        }
        if (f->choices) {
                for (size_t i = 0; f->choices[i]; i++)
                        (void)kl_buf_printf(out, "%s%s", i ? "|" : "", f->choices[i]);
                return;
        }
        switch (f->type) {
        case KL_CONFIG_STRING:
        case KL_CONFIG_STRINGS:
                (void)kl_buf_puts(out, "VALUE");
                break;
        case KL_CONFIG_INT:
                (void)kl_buf_puts(out, "N");
                break;
        case KL_CONFIG_PORT:
                (void)kl_buf_puts(out, "PORT");
                break;
        case KL_CONFIG_MODE:
                (void)kl_buf_puts(out, "MODE");
                break;
        case KL_CONFIG_DURATION:
                (void)kl_buf_puts(out, "DURATION");
                break;
        case KL_CONFIG_KVS:
                (void)kl_buf_puts(out, "KEY=VALUE");
                break;
        case KL_CONFIG_BOOL:
        case KL_CONFIG_TYPE__COUNT:
        case KL_CONFIG_TYPE__INVALID:
                break;
        }
}

static void put_left(const struct kl_config_flag *f, struct kl_buf *b)
{
        if (f->short_name)
                (void)kl_buf_printf(b, "  -%c, --%s", f->short_name, f->name);
        else
                (void)kl_buf_printf(b, "      --%s", f->name);
        if (f->type != KL_CONFIG_BOOL) {
                (void)kl_buf_putc(b, ' ');
                kl_config__metavar(f, b);
        }
}

static bool shows_default(const struct kl_config_flag *f)
{
        bool b;

        if (f->flags & KL_CONFIG_SECRET)
                return false;
        if (f->default_help)
                return true;
        if (kl_isempty(f->def))
                return false;
        /* "(default: false)" on every switch is noise. */
        if (f->type == KL_CONFIG_BOOL && kl_parse_bool(f->def, &b) == 0 && !b)
                return false;
        return true;
}

static void put_description(const struct kl_config_flag *f, struct kl_buf *d)
{
        (void)kl_buf_puts(d, f->help ? f->help : "");
        if (shows_default(f)) {
                if (f->default_help)
                        (void)kl_buf_printf(d, " (default: %s)", f->default_help);
                else if (f->type == KL_CONFIG_STRING)
                        (void)kl_buf_printf(d, " (default: \"%s\")", f->def);
                else
                        (void)kl_buf_printf(d, " (default: %s)", f->def);
        }
        if (!(f->flags & KL_CONFIG_NO_ENV)) {
                kl_autofree char *env = f->env ? kl_strdup(f->env) : kl_config_env_name(f->name);

                (void)kl_buf_printf(d, " [$%s", env);
                if (f->env_alias)
                        (void)kl_buf_printf(d, ", $%s", f->env_alias);
                (void)kl_buf_putc(d, ']');
        }
}

static void pad_to(struct kl_buf *out, size_t from, size_t to)
{
        for (size_t i = from; i < to; i++)
                (void)kl_buf_putc(out, ' ');
}

/* `text` word-wrapped into the columns from `col` to HELP_WIDTH; the cursor is at `col`. */
static void put_wrapped(struct kl_buf *out, const char *text, size_t col)
{
        size_t pos = col;
        bool line_empty = true;

        for (;;) {
                size_t wlen;

                text += strspn(text, " ");
                if (!*text)
                        break;
                wlen = strcspn(text, " ");
                if (!line_empty && pos + 1 + wlen > HELP_WIDTH) {
                        (void)kl_buf_putc(out, '\n');
                        pad_to(out, 0, col);
                        pos = col;
                        line_empty = true;
                }
                if (!line_empty) {
                        (void)kl_buf_putc(out, ' ');
                        pos++;
                }
                (void)kl_buf_append(out, text, wlen);
                pos += wlen;
                line_empty = false;
                text += wlen;
        }
        (void)kl_buf_putc(out, '\n');
}

static void put_entry(struct kl_buf *out, const char *left, size_t left_len, const char *desc,
                      size_t col)
{
        (void)kl_buf_append(out, left, left_len);
        if (left_len + 2 > col) {
                (void)kl_buf_putc(out, '\n');
                pad_to(out, 0, col);
        } else {
                pad_to(out, left_len, col);
        }
        put_wrapped(out, desc, col);
}

static void put_flag(struct kl_buf *out, const struct kl_config_flag *f, size_t col)
{
        kl_autobuf struct kl_buf left = KL_BUF_INIT;
        kl_autobuf struct kl_buf desc = KL_BUF_INIT;

        put_left(f, &left);
        put_description(f, &desc);
        put_entry(out, left.buf, left.len, desc.buf, col);
}

static const char *group_of(const struct kl_config_flag *f)
{
        return f->group ? f->group : DEFAULT_GROUP;
}

static bool visible(const struct kl_config_flag *f)
{
        return !(f->flags & KL_CONFIG_HIDDEN);
}

static void put_group(struct kl_buf *out, const struct kl_config_cmd *cmd, const char *group,
                      size_t col)
{
        bool any = kl_streq(group, DEFAULT_GROUP);

        for (size_t i = 0; i < cmd->n_flags && !any; i++)
                any = visible(&cmd->flags[i]) && kl_streq(group_of(&cmd->flags[i]), group);
        if (!any)
                return;
        (void)kl_buf_printf(out, "\n%s:\n", group);
        for (size_t i = 0; i < cmd->n_flags; i++)
                if (visible(&cmd->flags[i]) && kl_streq(group_of(&cmd->flags[i]), group))
                        put_flag(out, &cmd->flags[i], col);
        if (kl_streq(group, DEFAULT_GROUP)) {
                static const char help_left[] = "  -h, --help";

                put_entry(out, help_left, sizeof(help_left) - 1, "Show this help", col);
        }
}

static const char *command_word(const struct kl_config_cmd *c)
{
        const char *sp = strrchr(c->name, ' ');

        return sp ? sp + 1 : c->name;
}

static void put_commands(struct kl_buf *out, const struct kl_config_cmd *cmd)
{
        size_t width = 0;

        if (!cmd->commands || !cmd->commands[0])
                return;
        for (size_t i = 0; cmd->commands[i]; i++)
                width = KL_MAX(width, strlen(command_word(cmd->commands[i])));
        (void)kl_buf_puts(out, "\nCommands:\n");
        for (size_t i = 0; cmd->commands[i]; i++) {
                const struct kl_config_cmd *c = cmd->commands[i];
                kl_autofree char *left = kl_asprintf("  %s", command_word(c));

                put_entry(out, left, strlen(left), c->summary ? c->summary : "", width + 4);
        }
}

void kl_config_help(const struct kl_config_cmd *cmd, struct kl_buf *out)
{
        size_t col = sizeof("  -h, --help") - 1;
        bool ungrouped = false;

        for (size_t i = 0; i < cmd->n_flags; i++) {
                kl_autobuf struct kl_buf left = KL_BUF_INIT;

                if (!visible(&cmd->flags[i]))
                        continue;
                put_left(&cmd->flags[i], &left);
                if (left.len <= LEFT_MAX)
                        col = KL_MAX(col, left.len);
        }
        col += 2;

        (void)kl_buf_printf(out, "Usage: %s %s\n", cmd->name,
                            cmd->synopsis ? cmd->synopsis : "[OPTIONS]");
        if (cmd->description)
                (void)kl_buf_printf(out, "\n%s\n", cmd->description);
        put_commands(out, cmd);
        /* The command's own, ungrouped flags lead; if it has none, -h alone goes last. */
        for (size_t i = 0; i < cmd->n_flags && !ungrouped; i++)
                ungrouped = visible(&cmd->flags[i]) && !cmd->flags[i].group;
        if (ungrouped)
                put_group(out, cmd, DEFAULT_GROUP, col);
        for (size_t i = 0; i < cmd->n_flags; i++) {
                const char *g = group_of(&cmd->flags[i]);
                bool seen = kl_streq(g, DEFAULT_GROUP);

                for (size_t j = 0; j < i && !seen; j++)
                        seen = kl_streq(group_of(&cmd->flags[j]), g);
                if (!seen)
                        put_group(out, cmd, g, col);
        }
        if (!ungrouped)
                put_group(out, cmd, DEFAULT_GROUP, col);
        if (cmd->footer)
                (void)kl_buf_printf(out, "\n%s\n", cmd->footer);
}
