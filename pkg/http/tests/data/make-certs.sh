#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Regenerates the throw-away test PKI of pkg/http's TLS tests (committed, valid
# for 100 years so the tests never expire). Nothing here is secret: these keys
# protect nothing but loopback test connections.
#
#   ca.pem / ca-key.pem                 the "cluster" CA that signs the rest
#   server.pem / server-key.pem         serving cert: localhost, 127.0.0.1, ::1
#   client.pem / client-key.pem         CN=admin, O=system:masters, O=devs
#   rogue-ca.pem, rogue-client*.pem     a client cert from a CA the server does not trust
set -eu
cd "$(dirname "$0")"
days=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ec_key() {
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
}

ca() { # name subject
        ec_key "$1-key.pem"
        openssl req -x509 -new -key "$1-key.pem" -subj "$2" -days $days -sha256 \
                -addext "basicConstraints=critical,CA:TRUE" \
                -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem"
}

leaf() { # name subject ca ext
        ec_key "$1-key.pem"
        openssl req -new -key "$1-key.pem" -subj "$2" -out "$tmp/$1.csr"
        printf '%s\n' "$4" > "$tmp/$1.ext"
        openssl x509 -req -in "$tmp/$1.csr" -CA "$3.pem" -CAkey "$3-key.pem" -CAcreateserial \
                -CAserial "$tmp/$3.srl" -days $days -sha256 -extfile "$tmp/$1.ext" -out "$1.pem"
}

ca ca "/CN=kube-lite-test-ca"
ca rogue-ca "/CN=rogue-ca"
leaf server "/CN=kube-lite-test-server" ca \
        "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
leaf client "/O=system:masters/O=devs/CN=admin" ca \
        "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
leaf rogue-client "/O=system:masters/CN=mallory" rogue-ca \
        "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
# The CA keys are not needed by the tests; the script makes new ones every time.
rm -f ca-key.pem rogue-ca-key.pem
