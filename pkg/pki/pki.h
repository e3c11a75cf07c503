/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pki: everything kube-lite does with keys, certificates, tokens and
 * kubeconfigs. OpenSSL 3 APIs only (EVP_PKEY, X509); nothing deprecated.
 *
 * What it is for
 *   `kube-lite server` calls kl_pki_server_ensure() at start-up: it creates
 *   what is missing under <data-dir>/server/tls/ (two CAs, the API server's
 *   serving certificate, the admin and apiserver client certificates) and
 *   reuses what exists; it then writes the admin kubeconfig. The HTTP layer
 *   loads the files by path and asks kl_pki_cert_subject() who a client
 *   certificate names; the authenticator parses the static token file; the
 *   join path formats and checks K10 tokens and bootstrap tokens. README.md in
 *   this directory lists the files and the decisions (key type, validity, two
 *   CAs, what rotation does and does not do yet).
 *
 * Main types
 *   EVP_PKEY, X509            OpenSSL's own; cleanup with kl_cleanup(EVP_PKEY_freep),
 *                             kl_cleanup(X509_freep), kl_cleanup(kl_pki_x509_stack_freep).
 *   struct kl_pki_ca          a CA: certificate and private key (opaque).
 *   struct kl_pki_server      the server's TLS material after ensure (opaque).
 *   struct kl_pki_token       a parsed K10 / short join token.
 *   struct kl_pki_token_file  a parsed --token-auth-file (opaque).
 *   struct kl_pki_kubeconfig  the fields of a kube-lite kubeconfig.
 *
 * Conventions
 *   Functions return 0 (or a documented positive value) on success and a
 *   negative errno on failure, with a message in `*err` (STYLE §4). Parsers of
 *   outside input return -EINVAL for malformed input and -E2BIG past their
 *   limits. Pointers follow STYLE R5.4: parameters are borrowed, ret_* results
 *   are owned by the caller.
 *
 *   Secrets (private keys as PEM, passwords, tokens, kubeconfig text holding a
 *   key) are returned as plain `char *` and must be released with
 *   kl_pki_secret_free(), which wipes them; error messages never contain them,
 *   only their position or a name (R11.7).
 *
 * Threads
 *   Every function may be called from any thread; none touches shared state
 *   (OpenSSL 3 initialises itself and its error queue is per thread). The
 *   *_ensure, *_load, *_save and *_write functions do blocking file I/O and
 *   key generation: call them from start-up code or a worker, never from the
 *   loop thread (STYLE R8.6).
 */
#ifndef KL_PKI_PKI_H
#define KL_PKI_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/cleanup.h"
#include "base/err.h"

KL_DEFINE_CLEANUP_FUNC(X509, X509_free);
KL_DEFINE_CLEANUP_FUNC(EVP_PKEY, EVP_PKEY_free);

/* Free a stack of certificates and the certificates in it; NULL is a no-op. */
void kl_pki_x509_stack_free(STACK_OF(X509) * certs);

/** Validity of a CA: ten years, as k3s. */
#define KL_PKI_CA_VALIDITY_DAYS 3650
/** Validity of a leaf certificate: one year, as k3s. */
#define KL_PKI_LEAF_VALIDITY_DAYS 365
/** kl_pki_cert_ensure() re-issues a leaf with fewer days than this left (k3s: 90). */
#define KL_PKI_RENEW_BEFORE_DAYS 90
/** Bytes of a lowercase hex SHA-256 plus NUL. */
#define KL_PKI_SHA256_HEX_SIZE 65
/** Longest join token accepted, in bytes. */
#define KL_PKI_TOKEN_MAX 1024
/** Largest certificate bundle kl_pki_certs_from_pem() accepts, in certificates. */
#define KL_PKI_MAX_BUNDLE_CERTS 64
/** Default mode of a kubeconfig (--write-kubeconfig-mode). */
#define KL_PKI_KUBECONFIG_MODE 0600

/* ---------------------------------------------------------------------------
 * Secrets
 */

/** Wipe a NUL-terminated secret and free it. NULL is a no-op. */
void kl_pki_secret_free(char *s);
static inline void kl_pki_secret_freep(char **s)
{
        kl_pki_secret_free(*s);
}
#define kl_autosecret kl_cleanup(kl_pki_secret_freep)

/**
 * Compare two secrets in time that does not depend on their contents or on
 * where they differ: both are hashed with SHA-256 and the digests compared
 * with CRYPTO_memcmp(). The only thing the timing can show is how many
 * 64-byte SHA-256 blocks each input has (one, for secrets under 56 bytes).
 * Use it for every comparison of a password or token.
 */
bool kl_pki_secret_equal(const void *a, size_t a_len, const void *b, size_t b_len);

/**
 * A new random secret of `bytes` bytes from getrandom(2), as lowercase hex
 * (2 * bytes characters). `bytes` is 1..256. Free with kl_pki_secret_free().
 */
int kl_pki_random_hex(size_t bytes, char **ret_hex, struct kl_err **err);

/* ---------------------------------------------------------------------------
 * Keys
 */

enum kl_pki_key_type {
        KL_PKI_KEY_ECDSA_P256, /* the default: what k3s uses; fast on small ARM boxes */
        KL_PKI_KEY_RSA_2048,   /* for peers that cannot do ECDSA */
        KL_PKI_KEY_TYPE__COUNT,
        KL_PKI_KEY_TYPE__INVALID = -EINVAL,
};

/** "ecdsa-p256" or "rsa-2048" to the enum; anything else KL_PKI_KEY_TYPE__INVALID. */
enum kl_pki_key_type kl_pki_key_type_parse(const char *s);
const char *kl_pki_key_type_name(enum kl_pki_key_type type);
/** What a key is, or KL_PKI_KEY_TYPE__INVALID for any other algorithm or size. */
enum kl_pki_key_type kl_pki_key_type_of(EVP_PKEY *key);

/** A new private key. */
int kl_pki_key_generate(enum kl_pki_key_type type, EVP_PKEY **ret_key, struct kl_err **err);

/**
 * The private key as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"), which Go
 * (kubectl, client-go) and OpenSSL both read. A secret: free with
 * kl_pki_secret_free().
 */
int kl_pki_key_to_pem(EVP_PKEY *key, char **ret_pem, struct kl_err **err);

/**
 * Parse the first private key in PEM text (PKCS#8, SEC1 "EC PRIVATE KEY" or
 * PKCS#1 "RSA PRIVATE KEY"). Encrypted keys are refused (-EINVAL) rather than
 * prompting for a passphrase on the terminal.
 */
int kl_pki_key_from_pem(const char *pem, size_t len, EVP_PKEY **ret_key, struct kl_err **err);

/** Read a private key file (at most 64 KiB). -ENOENT when it does not exist. */
int kl_pki_key_load(const char *path, EVP_PKEY **ret_key, struct kl_err **err);

/** Write a private key as PKCS#8 PEM, atomically, mode 0600. The directory must exist. */
int kl_pki_key_save(const char *path, EVP_PKEY *key, struct kl_err **err);

/* ---------------------------------------------------------------------------
 * Certificates
 */

/** The certificate as PEM text (owned). */
int kl_pki_cert_to_pem(X509 *cert, char **ret_pem, struct kl_err **err);

/** The first certificate in PEM text. -EINVAL if there is none. */
int kl_pki_cert_from_pem(const char *pem, size_t len, X509 **ret_cert, struct kl_err **err);

/**
 * Every certificate in PEM text (a CA bundle or a chain), in file order: at
 * least one, at most KL_PKI_MAX_BUNDLE_CERTS (-E2BIG). Text between the PEM
 * blocks is ignored, as OpenSSL and Go do; a damaged block is -EINVAL.
 */
int kl_pki_certs_from_pem(const char *pem, size_t len, STACK_OF(X509) * *ret_certs,
                          struct kl_err **err);

/** Read the first certificate of a PEM file (at most 64 KiB). -ENOENT when missing. */
int kl_pki_cert_load(const char *path, X509 **ret_cert, struct kl_err **err);

/** Write a certificate as PEM, atomically, mode 0644. The directory must exist. */
int kl_pki_cert_save(const char *path, X509 *cert, struct kl_err **err);

/**
 * Who a certificate names, the way the Kubernetes x509 authenticator reads a
 * client certificate: `*ret_cn` is the subject's common name (the user) and
 * `*ret_orgs` a NULL-terminated vector of its organization values (the
 * groups), in certificate order, possibly empty. Both are owned by the caller
 * (free(), kl_strv_free()). `ret_orgs` may be NULL. -EINVAL when the subject
 * has no CN or several, or a value is not valid UTF-8 or holds a NUL.
 */
int kl_pki_cert_subject(X509 *cert, char **ret_cn, char ***ret_orgs, struct kl_err **err);

/**
 * SHA-256 of the certificate's DER encoding, lowercase hex: the value
 * `openssl x509 -fingerprint -sha256` prints (without colons), and the CA hash
 * of a K10 join token.
 */
int kl_pki_cert_hash(X509 *cert, char ret_hex[KL_PKI_SHA256_HEX_SIZE], struct kl_err **err);

/**
 * Whether the certificate's subjectAltName extension lists `san`: an IP
 * address (compared as bytes, so "::1" matches "0:0::1") or a DNS name
 * (compared without case). Malformed `san`: false.
 */
bool kl_pki_cert_has_san(X509 *cert, const char *san);

/** Seconds from now until the certificate expires; negative once it has. */
long long kl_pki_cert_seconds_left(X509 *cert);

enum kl_pki_cert_kind {
        KL_PKI_CERT_SERVER, /* extendedKeyUsage serverAuth, subjectAltNames */
        KL_PKI_CERT_CLIENT, /* extendedKeyUsage clientAuth; CN = user, O = groups */
        KL_PKI_CERT_KIND__COUNT,
        KL_PKI_CERT_KIND__INVALID = -EINVAL,
};

/**
 * Verify `leaf` against a trust bundle: it must chain to one of `roots`
 * (intermediates from `untrusted`, which may be NULL), be within its validity
 * period, and carry the extended key usage of `kind` (serverAuth or
 * clientAuth; KL_PKI_CERT_KIND__COUNT skips the check). A certificate in
 * `roots` is a trust anchor even if it is not self-signed, as in Go's
 * x509.CertPool. When `host` is not NULL the leaf must also be valid for it
 * (IP address or DNS name). -EPERM with OpenSSL's reason when verification
 * fails.
 */
int kl_pki_verify(X509 *leaf, STACK_OF(X509) * untrusted, STACK_OF(X509) * roots,
                  enum kl_pki_cert_kind kind, const char *host, struct kl_err **err);

/**
 * kl_pki_verify() on PEM text: `chain_pem` is the leaf followed by any
 * intermediates, `bundle_pem` the trusted CA certificates.
 */
int kl_pki_verify_pem(const char *chain_pem, size_t chain_len, const char *bundle_pem,
                      size_t bundle_len, enum kl_pki_cert_kind kind, const char *host,
                      struct kl_err **err);

/* ---------------------------------------------------------------------------
 * Certificate authorities
 */

struct kl_pki_ca;

/**
 * A new self-signed CA: subject CN `cn`, valid KL_PKI_CA_VALIDITY_DAYS,
 * basicConstraints CA:TRUE (critical), keyUsage keyCertSign, cRLSign,
 * digitalSignature (critical), a subject key identifier and a random
 * 128-bit serial.
 */
int kl_pki_ca_new(const char *cn, enum kl_pki_key_type type, struct kl_pki_ca **ret_ca,
                  struct kl_err **err);

/**
 * Load a CA from its certificate and key files. The key must match the
 * certificate and the certificate must be a CA (basicConstraints CA:TRUE):
 * -EINVAL otherwise. -ENOENT when either file is missing.
 */
int kl_pki_ca_load(const char *cert_path, const char *key_path, struct kl_pki_ca **ret_ca,
                   struct kl_err **err);

/**
 * Load the CA `<dir>/<name>.crt` + `<dir>/<name>.key`, or create it when both
 * are missing, with CN "<cn_prefix>@<unix time>" (k3s's naming). An existing
 * CA is never replaced: a certificate without its key, a key without its
 * certificate, or a pair that does not match is an error (-EEXIST / -EINVAL),
 * for a person to resolve. Returns 1 when created, 0 when loaded.
 */
int kl_pki_ca_ensure(const char *dir, const char *name, const char *cn_prefix,
                     enum kl_pki_key_type type, struct kl_pki_ca **ret_ca, struct kl_err **err);

/** Borrowed; valid while the CA lives. */
X509 *kl_pki_ca_cert(const struct kl_pki_ca *ca);
/** Borrowed; valid while the CA lives. */
EVP_PKEY *kl_pki_ca_key(const struct kl_pki_ca *ca);

void kl_pki_ca_free(struct kl_pki_ca *ca);

/* ---------------------------------------------------------------------------
 * Leaf certificates
 */

/** What to put in a leaf certificate. All pointers are borrowed. */
struct kl_pki_cert_req {
        enum kl_pki_cert_kind kind;
        const char *cn;                /* subject CN; required */
        const char *const *orgs;       /* subject O values, NULL-terminated; NULL for none */
        const char *const *sans;       /* subjectAltNames, NULL-terminated; NULL for none. A
                                          value that parses as an IPv4/IPv6 address (brackets
                                          allowed) is an IP SAN, anything else must be a DNS
                                          name (a leading "*." wildcard is allowed) */
        unsigned validity_days;        /* 0: KL_PKI_LEAF_VALIDITY_DAYS */
        enum kl_pki_key_type key_type; /* for keys kl_pki_cert_ensure() creates */
};

/**
 * Issue a certificate for `pubkey` (only its public half is used) signed by
 * `ca`: random 128-bit serial, notBefore an hour in the past (for clocks that
 * disagree a little), notAfter `validity_days` later but never after the CA's,
 * basicConstraints CA:FALSE, keyUsage digitalSignature (+ keyEncipherment for
 * RSA), the extendedKeyUsage of `req->kind`, subject and authority key
 * identifiers, and the SANs de-duplicated. -EINVAL for a bad request (no CN, a
 * SAN that is neither an address nor a DNS name).
 */
int kl_pki_cert_issue(const struct kl_pki_ca *ca, const struct kl_pki_cert_req *req,
                      EVP_PKEY *pubkey, X509 **ret_cert, struct kl_err **err);

/**
 * Make sure `<dir>/<name>.crt` and `<dir>/<name>.key` hold a certificate for
 * `req` signed by `ca`. The existing pair is reused when the key matches the
 * certificate, the certificate verifies against `ca` with the kind's key
 * usage, its CN and O set equal the request's, its SANs cover every requested
 * SAN (extra ones are kept: removing a --tls-san does not force a new
 * certificate, as in k3s), and it has more than KL_PKI_RENEW_BEFORE_DAYS days
 * left. Otherwise a new certificate is issued; the existing key is kept when
 * it is sound and of the requested type, so only the certificate file changes
 * and a reader never sees a mismatched pair. Both files are written
 * atomically, the key with mode 0600. Returns 1 when it wrote, 0 when it
 * reused.
 */
int kl_pki_cert_ensure(const char *dir, const char *name, const struct kl_pki_ca *ca,
                       const struct kl_pki_cert_req *req, struct kl_err **err);

/* ---------------------------------------------------------------------------
 * The server's TLS material
 */

/** The files kl_pki_server_ensure() manages, all in opts->dir. */
enum kl_pki_server_file {
        KL_PKI_SERVER_CA_CERT,        /* server-ca.crt: signs serving certs; in kubeconfigs */
        KL_PKI_SERVER_CA_KEY,         /* server-ca.key */
        KL_PKI_CLIENT_CA_CERT,        /* client-ca.crt: signs client certs; trusted by the API */
        KL_PKI_CLIENT_CA_KEY,         /* client-ca.key */
        KL_PKI_SERVING_CERT,          /* serving-kube-apiserver.crt: :6443's certificate */
        KL_PKI_SERVING_KEY,           /* serving-kube-apiserver.key */
        KL_PKI_ADMIN_CERT,            /* client-admin.crt: system:admin, system:masters */
        KL_PKI_ADMIN_KEY,             /* client-admin.key */
        KL_PKI_APISERVER_CLIENT_CERT, /* client-kube-apiserver.crt: API server -> kubelets */
        KL_PKI_APISERVER_CLIENT_KEY,  /* client-kube-apiserver.key */
        KL_PKI_SERVER_FILE__COUNT,
        KL_PKI_SERVER_FILE__INVALID = -EINVAL,
};

struct kl_pki_server_opts {
        const char *dir;            /* <data-dir>/server/tls; created with mode 0700 */
        const char *const *sans;    /* extra serving SANs, NULL-terminated: hostname, node
                                       IPs, the service IP, --tls-san values */
        const char *cluster_domain; /* NULL: "cluster.local" */
        enum kl_pki_key_type key_type;
};

struct kl_pki_server;

/**
 * Create what is missing and reuse what exists: the server CA
 * ("kube-lite-server-ca@<time>"), the client CA ("kube-lite-client-ca@<time>"),
 * the serving certificate (the caller's SANs plus 127.0.0.1, ::1, localhost,
 * kubernetes, kubernetes.default, kubernetes.default.svc and
 * kubernetes.default.svc.<cluster domain>), the admin client certificate
 * (CN system:admin, O system:masters) and the API server's client certificate
 * for kubelets (CN system:kube-apiserver, O system:masters), by
 * kl_pki_ca_ensure() and kl_pki_cert_ensure(). Returns the number of certificates
 * it created or re-issued (0 when everything was reused).
 */
int kl_pki_server_ensure(const struct kl_pki_server_opts *opts, struct kl_pki_server **ret_server,
                         struct kl_err **err);

/** Borrowed; valid while the server object lives. */
const struct kl_pki_ca *kl_pki_server_ca(const struct kl_pki_server *s);
/** Borrowed; valid while the server object lives. */
const struct kl_pki_ca *kl_pki_server_client_ca(const struct kl_pki_server *s);
/** Full path of one of the files; borrowed. */
const char *kl_pki_server_path(const struct kl_pki_server *s, enum kl_pki_server_file f);
/** kl_pki_cert_hash() of the server CA: the hash in K10 tokens; borrowed. */
const char *kl_pki_server_ca_hash(const struct kl_pki_server *s);

/**
 * Write the admin kubeconfig (server CA, admin certificate and key) for
 * `server_url` (NULL: "https://127.0.0.1:6443") to `path`, atomically, with
 * `mode`, creating the parent directory.
 */
int kl_pki_server_write_kubeconfig(const struct kl_pki_server *s, const char *server_url,
                                   const char *path, mode_t mode, struct kl_err **err);

void kl_pki_server_free(struct kl_pki_server *s);

/* ---------------------------------------------------------------------------
 * Kubeconfig
 *
 * kube-lite writes the k3s shape: one cluster, one user and one context, all
 * named "default", current-context "default", credentials embedded as
 * base64 *-data fields.
 */

struct kl_pki_kubeconfig {
        char *server;   /* owned; "https://127.0.0.1:6443" */
        char *ca_pem;   /* owned; certificate-authority-data, decoded; NULL for none */
        char *cert_pem; /* owned; client-certificate-data, decoded; NULL for none */
        char *key_pem;  /* owned secret; client-key-data, decoded; NULL for none */
        char *token;    /* owned secret; the user's bearer token; NULL for none */
};

#define KL_PKI_KUBECONFIG_INIT \
        {                      \
                .server = NULL \
        }

/** Free (and wipe the secrets of) every field; the struct is left as KL_PKI_KUBECONFIG_INIT. */
void kl_pki_kubeconfig_release(struct kl_pki_kubeconfig *kc);
#define kl_autokubeconfig kl_cleanup(kl_pki_kubeconfig_release)

/**
 * The kubeconfig as YAML text. `server` is required; strings are quoted when
 * YAML would read them as something else. The text holds the key: free with
 * kl_pki_secret_free().
 */
int kl_pki_kubeconfig_format(const struct kl_pki_kubeconfig *kc, char **ret_yaml,
                             struct kl_err **err);

/** kl_pki_kubeconfig_format() written atomically to `path` with `mode`, creating its directory. */
int kl_pki_kubeconfig_write(const char *path, const struct kl_pki_kubeconfig *kc, mode_t mode,
                            struct kl_err **err);

/**
 * Read a kubeconfig: the cluster and user of its current context (or of its
 * only context when current-context is absent). certificate-authority-data,
 * client-certificate-data and client-key-data are base64-decoded; file
 * references (certificate-authority, client-certificate, client-key) are not
 * followed and give -EINVAL, so reading a kubeconfig never opens another file.
 * `name` (a path or "<stdin>") prefixes messages. Fills `*ret` (which must be
 * KL_PKI_KUBECONFIG_INIT) only on success.
 */
int kl_pki_kubeconfig_parse(const char *data, size_t len, const char *name,
                            struct kl_pki_kubeconfig *ret, struct kl_err **err);

/** kl_pki_kubeconfig_parse() of a file (at most 1 MiB). */
int kl_pki_kubeconfig_load(const char *path, struct kl_pki_kubeconfig *ret, struct kl_err **err);

/* ---------------------------------------------------------------------------
 * Join tokens (k3s's format)
 *
 *   K10<CA hash>::<username>:<password>   secure form
 *   K10<CA hash>::<password>              secure form, no username
 *   <username>:<password>                 short form
 *   <password>                            short form
 *
 * The CA hash is kl_pki_cert_hash() of the server CA: a joining agent fetches
 * the CA bundle without trusting it, hashes it, and goes on only when the hash
 * matches (kl_pki_token_check_ca()). A password may itself be a bootstrap
 * token ("abcdef.0123456789abcdef"). Tokens are printable ASCII without
 * spaces, at most KL_PKI_TOKEN_MAX bytes; a string that starts with "K10" but
 * has no "::" is a short-form password.
 */

struct kl_pki_token {
        char ca_hash[KL_PKI_SHA256_HEX_SIZE]; /* lowercase hex; "" when the token has none */
        char *username;                       /* owned; NULL when the token has none */
        char *password;                       /* owned secret; never NULL in a parsed token */
};

/**
 * Parse a token. `*ret` is filled only on success; release it with
 * kl_pki_token_release(). -EINVAL names the problem and its offset, never
 * the token's text.
 */
int kl_pki_token_parse(const char *s, struct kl_pki_token *ret, struct kl_err **err);

/**
 * Format a token (the secure form when `ca_hash` is set). The same rules as
 * the parser apply (-EINVAL otherwise). A secret: free with kl_pki_secret_free().
 */
int kl_pki_token_format(const struct kl_pki_token *t, char **ret, struct kl_err **err);

/** Free and wipe the owned fields; the struct is left zeroed. */
void kl_pki_token_release(struct kl_pki_token *t);
#define kl_autotoken kl_cleanup(kl_pki_token_release)

/**
 * Check the CA a server presented against the token: `ca_hash` is
 * kl_pki_cert_hash() of that CA. Returns 1 when the token carries a hash and
 * it matches, 0 when the token carries none (short form: the caller decides
 * whether to go on unverified), -EPERM when it does not match.
 */
int kl_pki_token_check_ca(const struct kl_pki_token *t, const char *ca_hash, struct kl_err **err);

/* ---------------------------------------------------------------------------
 * Bootstrap tokens: "<id>.<secret>", id 6 and secret 16 characters of [a-z0-9],
 * as kubeadm's (the id is public, the secret is not).
 */

#define KL_PKI_BOOTSTRAP_ID_LEN     6
#define KL_PKI_BOOTSTRAP_SECRET_LEN 16
#define KL_PKI_BOOTSTRAP_TOKEN_SIZE (KL_PKI_BOOTSTRAP_ID_LEN + 1 + KL_PKI_BOOTSTRAP_SECRET_LEN + 1)

struct kl_pki_bootstrap_token {
        char id[KL_PKI_BOOTSTRAP_ID_LEN + 1];
        char secret[KL_PKI_BOOTSTRAP_SECRET_LEN + 1]; /* a secret: explicit_bzero() when done */
};

/** A new random token from getrandom(2), every character uniform over [a-z0-9]. */
int kl_pki_bootstrap_token_generate(struct kl_pki_bootstrap_token *ret, struct kl_err **err);

/** Parse "<id>.<secret>". -EINVAL (without echoing the secret) when malformed. */
int kl_pki_bootstrap_token_parse(const char *s, struct kl_pki_bootstrap_token *ret,
                                 struct kl_err **err);

/** "<id>.<secret>" into `buf`; returns `buf`. */
char *kl_pki_bootstrap_token_format(const struct kl_pki_bootstrap_token *t,
                                    char buf[KL_PKI_BOOTSTRAP_TOKEN_SIZE]);

/* ---------------------------------------------------------------------------
 * Static token file (kube-apiserver --token-auth-file)
 *
 * CSV, one user per record: `token,user,uid[,"group1,group2"]`. Quoting
 * follows RFC 4180 as Go's encoding/csv reads it (double quotes around a
 * field, "" inside one, quoted fields may span lines); columns after the
 * fourth are ignored and empty lines skipped, as kube-apiserver does. Where
 * kube-apiserver only warns, kube-lite refuses: a duplicate token is an error
 * (one of the two users would silently get the other's access). A record with
 * an empty token is skipped, as upstream; empty group names are dropped.
 * Tokens are kept only as SHA-256 digests.
 */

/** One user of the file. All fields owned by the token file. */
struct kl_pki_token_user {
        const char *name;          /* user name */
        const char *uid;           /* may be "" */
        const char *const *groups; /* NULL-terminated, possibly empty */
        unsigned line;             /* where the record starts, for messages */
};

struct kl_pki_token_file;

/** Largest token file accepted, in bytes. */
#define KL_PKI_TOKEN_FILE_MAX ((size_t)1 << 20)

/**
 * Parse token-file text. `name` (the path) prefixes messages, which give the
 * line: "token file 'x': line 3: ...". -EINVAL for malformed CSV, fewer than
 * three columns, an empty user name or a duplicate token; -E2BIG past
 * KL_PKI_TOKEN_FILE_MAX.
 */
int kl_pki_token_file_parse(const char *data, size_t len, const char *name,
                            struct kl_pki_token_file **ret, struct kl_err **err);

/** kl_pki_token_file_parse() of a file. */
int kl_pki_token_file_load(const char *path, struct kl_pki_token_file **ret, struct kl_err **err);

/** Number of users. */
size_t kl_pki_token_file_count(const struct kl_pki_token_file *f);

/**
 * The user a bearer token belongs to, or NULL. Compares against every entry
 * in constant time per entry (kl_pki_secret_equal() semantics), so the time
 * taken says nothing about which token was close. Borrowed from `f`.
 */
const struct kl_pki_token_user *kl_pki_token_file_lookup(const struct kl_pki_token_file *f,
                                                         const char *token, size_t len);

void kl_pki_token_file_free(struct kl_pki_token_file *f);

/* ---------------------------------------------------------------------------
 * Scope cleanup for the types above: kl_cleanup(kl_pki_ca_freep) and so on.
 */

KL_DEFINE_CLEANUP_FUNC(STACK_OF(X509), kl_pki_x509_stack_free);
KL_DEFINE_CLEANUP_FUNC(struct kl_pki_ca, kl_pki_ca_free);
KL_DEFINE_CLEANUP_FUNC(struct kl_pki_server, kl_pki_server_free);
KL_DEFINE_CLEANUP_FUNC(struct kl_pki_token_file, kl_pki_token_file_free);

#endif
