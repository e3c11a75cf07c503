# SPDX-License-Identifier: Apache-2.0
# Keys, certificates, the server's TLS files, kubeconfigs and tokens; see pkg/pki/README.md.
MODULES    += pki
pki_SRCS   := ca.c cert.c ensure.c key.c kubeconfig.c token.c token-file.c util.c
pki_DEPS   := base json yaml
pki_PKGS   := openssl jansson
pki_TESTS  := test-cert.c test-ensure.c test-kubeconfig.c test-token.c test-token-file.c
pki_FUZZ   := fuzz-kubeconfig.c fuzz-token.c fuzz-token-file.c
