/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The subcommands of kube-lite (STYLE R2.5): main.c holds the table, each
 * subcommand lives in cmd-<name>.c. Handlers get argv with argv[0] set to the
 * subcommand's name and return the process exit code.
 */
#ifndef KL_CMD_COMMANDS_H
#define KL_CMD_COMMANDS_H

int kl_cmd_version(int argc, char **argv);

#endif
