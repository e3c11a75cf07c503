# SPDX-License-Identifier: Apache-2.0
# Flags, environment and config files from one table per subcommand; see pkg/config/README.md.
MODULES       += config
config_SRCS   := config.c config-file.c config-help.c config-paths.c
config_DEPS   := base yaml
config_PKGS   := jansson yaml-0.1
config_TESTS  := test-config.c
config_FUZZ   := fuzz-config-file.c
