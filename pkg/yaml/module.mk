# SPDX-License-Identifier: Apache-2.0
# YAML -> JSON (libyaml events -> jansson values); see pkg/yaml/README.md.
MODULES     += yaml
yaml_SRCS   := yaml.c
yaml_DEPS   := base
yaml_PKGS   := yaml-0.1 jansson
yaml_TESTS  := test-yaml.c
yaml_FUZZ   := fuzz-yaml.c
