#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# Generate pkg/api/schema-gen.c, the compiled-in schema tables of the
# Kubernetes API, from the generated.proto files of a Kubernetes release.
#
#   scripts/gen-api-schema.py [PROTO_DIR] [-o OUTPUT]
#
# PROTO_DIR defaults to ../shared/reference/kubernetes-v1.32-proto relative to
# the repository root; OUTPUT to pkg/api/schema-gen.c. `make` never runs this
# script: its output is committed, and regenerating is a deliberate act whose
# diff is reviewed like any other change.
#
# Only facts are carried over: message and field names, field numbers, types,
# repeated/map, and the markers of the comments (+optional, +required,
# +patchStrategy, +patchMergeKey, +listType, +listMapKey, +mapType,
# +structType). No comment text reaches the output. A few facts of the Go types
# that the .proto files cannot express (embedded structs, JSON names that
# differ from the proto names, which types carry TypeMeta, pointer-ness of some
# scalars) are tables below, each checked against the parsed files so that a
# new release that renames something fails here instead of drifting.
#
# Python 3 standard library only.

import argparse
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PROTO_DIR = os.path.join(REPO, "..", "shared", "reference", "kubernetes-v1.32-proto")
DEFAULT_OUTPUT = os.path.join(REPO, "pkg", "api", "schema-gen.c")

# Scalar proto types -> enum kl_api_type names (schema-internal.h).
SCALARS = {
    "string": "STRING",
    "bool": "BOOL",
    "int32": "INT32",
    "int64": "INT64",
    "uint32": "UINT32",
    "uint64": "UINT64",
    "double": "DOUBLE",
    "float": "FLOAT",
    "bytes": "BYTES",
}

# Messages whose JSON form is not an object of their proto fields
# (enum kl_api_special). The names are OpenAPI names.
SPECIALS = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "TIME",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "MICRO_TIME",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Duration": "DURATION",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "FIELDS_V1",
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "QUANTITY",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "INT_OR_STRING",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "RAW_EXTENSION",
    "io.k8s.apimachinery.pkg.runtime.Unknown": "UNKNOWN",
}

# Go struct fields embedded with `json:",inline"`: their members appear in the
# parent's JSON object, while protobuf keeps them in a sub-message.
INLINE = [
    "io.k8s.api.core.v1.ConfigMapEnvSource.localObjectReference",
    "io.k8s.api.core.v1.ConfigMapKeySelector.localObjectReference",
    "io.k8s.api.core.v1.ConfigMapProjection.localObjectReference",
    "io.k8s.api.core.v1.ConfigMapVolumeSource.localObjectReference",
    "io.k8s.api.core.v1.SecretEnvSource.localObjectReference",
    "io.k8s.api.core.v1.SecretKeySelector.localObjectReference",
    "io.k8s.api.core.v1.SecretProjection.localObjectReference",
    "io.k8s.api.core.v1.EphemeralContainer.ephemeralContainerCommon",
    "io.k8s.api.core.v1.PersistentVolumeSpec.persistentVolumeSource",
    "io.k8s.api.core.v1.Probe.handler",
    "io.k8s.api.core.v1.Volume.volumeSource",
    "io.k8s.api.networking.v1.IngressRule.ingressRuleValue",
    "io.k8s.api.admissionregistration.v1.NamedRuleWithOperations.ruleWithOperations",
    "io.k8s.api.admissionregistration.v1.RuleWithOperations.rule",
]

# Proto names that are Go field names rather than JSON names.
JSON_NAMES = {
    "io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration.Webhooks": "webhooks",
    "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration.Webhooks": "webhooks",
    "io.k8s.api.admissionregistration.v1.Validation.Expression": "expression",
    "io.k8s.api.admissionregistration.v1.Variable.Name": "name",
    "io.k8s.api.admissionregistration.v1.Variable.Expression": "expression",
}
# Capitalised names that really are the JSON names (or belong to a special).
JSON_NAMES_KEEP = {
    "io.k8s.api.core.v1.DaemonEndpoint.Port",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1.Raw",
}

# Types that embed TypeMeta (apiVersion, kind) besides those found by rule
# (a metadata field of type ObjectMeta or ListMeta).
TYPEMETA_EXTRA = [
    "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup",
    "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList",
    "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
    "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.ApplyOptions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.CreateOptions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.GetOptions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.ListOptions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.PatchOptions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.TableOptions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.UpdateOptions",
    "io.k8s.api.core.v1.NodeProxyOptions",
    "io.k8s.api.core.v1.PodAttachOptions",
    "io.k8s.api.core.v1.PodExecOptions",
    "io.k8s.api.core.v1.PodLogOptions",
    "io.k8s.api.core.v1.PodPortForwardOptions",
    "io.k8s.api.core.v1.PodProxyOptions",
    "io.k8s.api.core.v1.ServiceProxyOptions",
]
# Templates have object metadata but no TypeMeta: they are parts of objects.
TYPEMETA_NOT = [
    "io.k8s.api.batch.v1.JobTemplateSpec",
    "io.k8s.api.core.v1.PersistentVolumeClaimTemplate",
    "io.k8s.api.core.v1.PodTemplateSpec",
]

# Go non-pointer scalars (omitempty) that gogo writes even when zero. Their
# zero is the same as unset, so the protobuf decoder leaves 0/false out
# instead of echoing it into stored objects (pkg/api/README-schema.md, "Zero
# values"). Only fields typed clients commonly send are listed; a missing
# entry costs an extra `0` in an object, a wrong one could drop a meaningful
# zero, so every entry is a Go value field, never a pointer.
OMIT_ZERO = [
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.generation",
    "io.k8s.api.core.v1.Container.stdin",
    "io.k8s.api.core.v1.Container.stdinOnce",
    "io.k8s.api.core.v1.Container.tty",
    "io.k8s.api.core.v1.EphemeralContainerCommon.stdin",
    "io.k8s.api.core.v1.EphemeralContainerCommon.stdinOnce",
    "io.k8s.api.core.v1.EphemeralContainerCommon.tty",
    "io.k8s.api.core.v1.ContainerPort.hostPort",
    "io.k8s.api.core.v1.VolumeMount.readOnly",
    "io.k8s.api.core.v1.PodSpec.hostNetwork",
    "io.k8s.api.core.v1.PodSpec.hostPID",
    "io.k8s.api.core.v1.PodSpec.hostIPC",
    "io.k8s.api.core.v1.Probe.initialDelaySeconds",
    "io.k8s.api.core.v1.Probe.timeoutSeconds",
    "io.k8s.api.core.v1.Probe.periodSeconds",
    "io.k8s.api.core.v1.Probe.successThreshold",
    "io.k8s.api.core.v1.Probe.failureThreshold",
    "io.k8s.api.core.v1.ServicePort.nodePort",
    "io.k8s.api.core.v1.ServiceSpec.healthCheckNodePort",
    "io.k8s.api.core.v1.ServiceSpec.publishNotReadyAddresses",
    "io.k8s.api.core.v1.ReplicationControllerSpec.minReadySeconds",
    "io.k8s.api.apps.v1.DeploymentSpec.minReadySeconds",
    "io.k8s.api.apps.v1.DeploymentSpec.paused",
    "io.k8s.api.apps.v1.ReplicaSetSpec.minReadySeconds",
    "io.k8s.api.apps.v1.DaemonSetSpec.minReadySeconds",
    "io.k8s.api.apps.v1.StatefulSetSpec.minReadySeconds",
    "io.k8s.api.networking.v1.ServiceBackendPort.number",
]

# Go *string fields whose "" means something other than unset.
KEEP_EMPTY = [
    "io.k8s.api.core.v1.PersistentVolumeClaimSpec.storageClassName",
]

PATCH_STRATEGIES = {"merge": 1, "retainKeys": 2, "replace": 4}
LIST_TYPES = {None: "NONE", "atomic": "ATOMIC", "set": "SET", "map": "MAP"}
MAP_TYPES = {None: "NONE", "atomic": "ATOMIC", "granular": "GRANULAR"}


def die(msg):
    sys.stderr.write("gen-api-schema: %s\n" % msg)
    sys.exit(1)


def openapi_package(proto_pkg):
    """k8s.io.api.apps.v1 -> io.k8s.api.apps.v1 (the OpenAPI names)."""
    if not proto_pkg.startswith("k8s.io."):
        die("unexpected package '%s'" % proto_pkg)
    return "io.k8s." + proto_pkg[len("k8s.io."):]


class Field:
    def __init__(self, name, number, label, ptype, map_value, markers):
        self.proto_name = name
        self.json_name = name
        self.number = number
        self.repeated = label == "repeated"
        self.is_map = map_value is not None
        self.ptype = map_value if self.is_map else ptype
        self.markers = markers
        self.ref = None  # qualified message name, for message types
        self.flags = set()


class Message:
    def __init__(self, package, name, markers):
        self.package = package
        self.name = name
        self.full = package + "." + name
        self.markers = markers
        self.fields = []
        self.special = "NONE"
        self.flags = set()


def parse_markers(comment_lines):
    """The +key=value markers of a comment block, in order."""
    out = []
    for line in comment_lines:
        m = re.match(r"\+([A-Za-z][\w.:-]*)(?:=(.*))?$", line.strip())
        if m:
            out.append((m.group(1), (m.group(2) or "").strip()))
    return out


def parse_file(path):
    package = None
    messages = []
    cur = None
    comments = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    in_block_comment = False
    for raw in lines:
        line = raw.strip()
        if in_block_comment:
            if "*/" in line:
                in_block_comment = False
            continue
        if line.startswith("/*"):
            if "*/" not in line:
                in_block_comment = True
            continue
        if line == "":
            comments = []
            continue
        if line.startswith("//"):
            comments.append(line[2:].strip())
            continue
        m = re.match(r"package\s+([\w.]+)\s*;$", line)
        if m:
            package = openapi_package(m.group(1))
            comments = []
            continue
        if re.match(r"(syntax|import|option)\b", line):
            comments = []
            continue
        m = re.match(r"message\s+(\w+)\s*\{$", line)
        if m:
            if cur is not None:
                die("%s: nested message '%s' is not supported" % (path, m.group(1)))
            if package is None:
                die("%s: message before package" % path)
            cur = Message(package, m.group(1), parse_markers(comments))
            comments = []
            continue
        if line == "}":
            if cur is None:
                die("%s: unbalanced '}'" % path)
            messages.append(cur)
            cur = None
            comments = []
            continue
        if cur is None:
            die("%s: cannot parse '%s'" % (path, line))
        m = re.match(r"map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;$", line)
        if m:
            if m.group(1) != "string":
                die("%s: map key type '%s' is not supported" % (path, m.group(1)))
            cur.fields.append(Field(m.group(3), int(m.group(4)), "map", None, m.group(2),
                                    parse_markers(comments)))
            comments = []
            continue
        m = re.match(r"(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;$", line)
        if m:
            cur.fields.append(Field(m.group(3), int(m.group(4)), m.group(1), m.group(2), None,
                                    parse_markers(comments)))
            comments = []
            continue
        die("%s: cannot parse '%s'" % (path, line))
    if cur is not None:
        die("%s: unterminated message '%s'" % (path, cur.name))
    if package is None:
        die("%s: no package" % path)
    return package, messages


def resolve(ptype, package, by_name):
    """A proto type reference -> qualified OpenAPI message name."""
    if ptype.startswith("."):
        pkg, _, name = ptype[1:].rpartition(".")
        full = openapi_package(pkg) + "." + name
    else:
        full = package + "." + ptype
    if full not in by_name:
        die("unknown message type '%s' in package %s" % (ptype, package))
    return full


def marker(markers, key):
    vals = [v for k, v in markers if k == key]
    return vals


def build(proto_dir):
    files = []
    for root, _dirs, names in os.walk(proto_dir):
        for n in names:
            if n == "generated.proto":
                files.append(os.path.join(root, n))
    if not files:
        die("no generated.proto under '%s'" % proto_dir)
    files.sort()
    messages = []
    for path in files:
        _pkg, msgs = parse_file(path)
        messages.extend(msgs)
    by_name = {}
    for m in messages:
        if m.full in by_name:
            die("duplicate message '%s'" % m.full)
        by_name[m.full] = m

    def field_of(qualified, what):
        msg_name, _, fname = qualified.rpartition(".")
        msg = by_name.get(msg_name)
        if msg is None:
            die("%s table names unknown message '%s'" % (what, msg_name))
        for f in msg.fields:
            if f.proto_name == fname:
                return msg, f
        die("%s table names unknown field '%s'" % (what, qualified))

    for m in messages:
        m.special = SPECIALS.get(m.full, "NONE")
        if m.special == "NONE" and marker(m.markers, "protobuf.nullable") == ["true"]:
            # A Go slice type given a message of its own (ExtraValue, Verbs):
            # JSON writes it as the bare array of its one repeated field.
            if len(m.fields) != 1 or not m.fields[0].repeated or m.fields[0].ptype != "string":
                die("nullable message '%s' is not a string list" % m.full)
            m.special = "STRING_LIST"
        st = marker(m.markers, "structType") + marker(m.markers, "mapType")
        if st:
            if st[0] not in MAP_TYPES:
                die("'%s': unknown structType '%s'" % (m.full, st[0]))
            m.flags.add("STRUCT_" + MAP_TYPES[st[0]])
        for f in m.fields:
            if f.ptype not in SCALARS:
                f.ref = resolve(f.ptype, m.package, by_name)
            if f.number < 1 or f.number > 254:
                die("'%s.%s': field number %d does not fit the table" % (m.full, f.proto_name, f.number))
            q = m.full + "." + f.proto_name
            if q in JSON_NAMES:
                f.json_name = JSON_NAMES[q]
            elif f.proto_name[0].isupper() and q not in JSON_NAMES_KEEP:
                die("'%s': capitalised proto name without a JSON name entry" % q)
            opt = marker(f.markers, "optional")
            req = marker(f.markers, "required")
            if req or not opt:
                f.flags.add("REQUIRED")
        names = [f.json_name for f in m.fields]
        if len(set(names)) != len(names):
            die("'%s': duplicate JSON names" % m.full)
        nums = [f.number for f in m.fields]
        if len(set(nums)) != len(nums):
            die("'%s': duplicate field numbers" % m.full)

    for q in INLINE:
        _msg, f = field_of(q, "INLINE")
        if f.ref is None or f.repeated or f.is_map:
            die("inline field '%s' is not a single message" % q)
        f.flags.add("INLINE")
        f.flags.discard("REQUIRED")
        _msg.flags.add("HAS_INLINE")
    for q in OMIT_ZERO:
        _msg, f = field_of(q, "OMIT_ZERO")
        if f.ptype not in ("bool", "int32", "int64") or f.repeated or f.is_map:
            die("OMIT_ZERO field '%s' is not a single number or bool" % q)
        f.flags.add("OMIT_ZERO")
    for q in KEEP_EMPTY:
        _msg, f = field_of(q, "KEEP_EMPTY")
        if f.ptype != "string" or f.repeated or f.is_map:
            die("KEEP_EMPTY field '%s' is not a single string" % q)
        f.flags.add("KEEP_EMPTY")

    # The JSON keys of a message with embedded structs must stay unique once
    # the embedded members join the parent's object.
    def json_keys(msg, depth=0):
        keys = []
        for f in msg.fields:
            if "INLINE" in f.flags:
                if depth > 8:
                    die("'%s': inline embedding nests too deep" % msg.full)
                keys.extend(json_keys(by_name[f.ref], depth + 1))
            else:
                keys.append(f.json_name)
        return keys

    for m in messages:
        keys = json_keys(m)
        if len(set(keys)) != len(keys):
            die("'%s': an embedded struct's field hides another" % m.full)

    for m in messages:
        md = [f for f in m.fields if f.json_name == "metadata" and f.ref in (
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
            "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta")]
        if md and m.full not in TYPEMETA_NOT:
            m.flags.add("TYPEMETA")
    for q in TYPEMETA_EXTRA + TYPEMETA_NOT:
        if q not in by_name:
            die("TypeMeta table names unknown message '%s'" % q)
    for q in TYPEMETA_EXTRA:
        by_name[q].flags.add("TYPEMETA")
    return sorted(messages, key=lambda m: (m.package, m.name)), by_name


class StringTable:
    """NUL-separated strings; a string that ends another shares its bytes."""

    def __init__(self):
        self.strings = set([""])

    def add(self, s):
        if "\0" in s or '"' in s or "\\" in s or not s.isprintable():
            die("string '%r' cannot go in the table" % s)
        self.strings.add(s)

    def layout(self):
        # Longest first, so each string can land inside one already placed.
        order = sorted(self.strings, key=lambda s: (-len(s), s))
        placed = []
        self.offset = {}
        pos = 0
        tails = {}
        for s in order:
            if s in tails:
                self.offset[s] = tails[s]
                continue
            self.offset[s] = pos
            placed.append(s)
            for i in range(len(s) + 1):
                tails.setdefault(s[i:], pos + i)
            pos += len(s) + 1
        self.placed = placed
        self.size = pos
        if self.size > 65535:
            die("string table of %d bytes does not fit uint16 offsets" % self.size)


def c_ident_flags(flags, prefix, order):
    out = [prefix + f for f in order if f in flags]
    return " | ".join(out) if out else "0"


def generate(messages, by_name, proto_dir, output):
    index = {m.full: i for i, m in enumerate(messages)}
    if len(messages) >= 0xFFFF:
        die("too many messages")
    packages = sorted(set(m.package for m in messages))
    if len(packages) > 255:
        die("too many packages")
    pkg_index = {p: i for i, p in enumerate(packages)}

    strtab = StringTable()
    for p in packages:
        strtab.add(p)
    for m in messages:
        strtab.add(m.name)
        for f in m.fields:
            strtab.add(f.json_name)
            for k in marker(f.markers, "patchMergeKey") + marker(f.markers, "listMapKey"):
                strtab.add(k)
    strtab.layout()
    S = strtab.offset

    # Patch and list metadata, shared between fields with the same markers.
    metas = [("0", "KL_API_LIST_NONE", "KL_API_MAP_NONE", 0, 0, 0)]
    meta_index = {metas[0]: 0}
    keys = [0]  # list-map-key string offsets; index 0 unused
    key_index = {}
    fields_out = []
    msgs_out = []
    by_number = []
    for m in messages:
        first = len(fields_out)
        sorted_fields = sorted(m.fields, key=lambda f: f.json_name.encode())
        if len(sorted_fields) > 255:
            die("'%s' has too many fields" % m.full)
        maxnum = max([f.number for f in m.fields] or [0])
        pos = {f.number: i for i, f in enumerate(sorted_fields)}
        num_base = len(by_number)
        for n in range(maxnum + 1):
            by_number.append(pos.get(n, 255))
        for f in sorted_fields:
            ps = marker(f.markers, "patchStrategy")
            strategy = 0
            for p in (ps[0].split(",") if ps else []):
                if p not in PATCH_STRATEGIES:
                    die("'%s.%s': unknown patch strategy '%s'" % (m.full, f.proto_name, p))
                strategy |= PATCH_STRATEGIES[p]
            lt = marker(f.markers, "listType")
            lt = lt[0] if lt else None
            if lt not in LIST_TYPES:
                die("'%s.%s': unknown listType '%s'" % (m.full, f.proto_name, lt))
            mt = marker(f.markers, "mapType") + marker(f.markers, "structType")
            mt = mt[0] if mt else None
            if mt not in MAP_TYPES:
                die("'%s.%s': unknown mapType '%s'" % (m.full, f.proto_name, mt))
            mk = marker(f.markers, "patchMergeKey")
            mk = S[mk[0]] if mk else 0
            lmk = tuple(marker(f.markers, "listMapKey"))
            if lmk and lt != "map":
                die("'%s.%s': listMapKey without listType=map" % (m.full, f.proto_name))
            kstart = 0
            if lmk:
                if lmk not in key_index:
                    key_index[lmk] = len(keys)
                    keys.extend(S[k] for k in lmk)
                    keys.append(0)
                kstart = key_index[lmk]
            strat = " | ".join("KL_API_PATCH_" + n.upper().replace("RETAINKEYS", "RETAIN_KEYS")
                               for n, b in sorted(PATCH_STRATEGIES.items(), key=lambda x: x[1])
                               if strategy & b) or "0"
            meta = (strat, "KL_API_LIST_" + LIST_TYPES[lt], "KL_API_MAP_" + MAP_TYPES[mt], mk,
                    kstart, 0)
            if meta not in meta_index:
                meta_index[meta] = len(metas)
                metas.append(meta)
            mi = meta_index[meta]
            if mi > 255:
                die("too many distinct field metadata entries")
            flags = set(f.flags)
            if f.repeated:
                flags.add("REPEATED")
            if f.is_map:
                flags.add("MAP")
            ftype = "MESSAGE" if f.ref else SCALARS[f.ptype]
            ref = index[f.ref] if f.ref else "KL_API_NO_MESSAGE"
            fields_out.append((S[f.json_name], ref, f.number, ftype,
                               c_ident_flags(flags, "KL_API_FIELD_",
                                             ["REPEATED", "MAP", "REQUIRED", "INLINE",
                                              "OMIT_ZERO", "KEEP_EMPTY"]),
                               mi, m.name + "." + f.json_name))
        mflags = c_ident_flags(m.flags, "KL_API_MESSAGE_",
                               ["TYPEMETA", "STRUCT_ATOMIC", "STRUCT_GRANULAR", "HAS_INLINE"])
        msgs_out.append((pkg_index[m.package], S[m.name], first, len(sorted_fields), num_base,
                         maxnum, m.special, mflags, m.full))
    if len(fields_out) > 0xFFFF or len(by_number) > 0xFFFF or len(keys) > 0xFFFF:
        die("tables too large for uint16 indices")

    out = []
    w = out.append
    w("/* SPDX-License-Identifier: Apache-2.0 */")
    w("/*")
    w(" * GENERATED FILE - do not edit. Made by scripts/gen-api-schema.py from the")
    w(" * generated.proto files of Kubernetes v1.32 (k8s.io/api and")
    w(" * k8s.io/apimachinery, kept outside the tree in")
    w(" * shared/reference/kubernetes-v1.32-proto). To regenerate after changing the")
    w(" * script or moving to another release:")
    w(" *")
    w(" *   python3 scripts/gen-api-schema.py [PROTO_DIR] && clang-format -i pkg/api/schema-gen.c")
    w(" *")
    w(" * It holds facts only (names, numbers, types, patch and list markers), laid")
    w(" * out as schema-internal.h describes: %d messages, %d fields, %d bytes of"
      % (len(msgs_out), len(fields_out), strtab.size))
    w(" * strings.")
    w(" */")
    w('#include "api/schema-internal.h"')
    w("")
    w("/* clang-format off */")
    w("")
    w("const char kl_api__schema_strings[] =")
    for s in strtab.placed:
        w('        "%s\\0"' % s)
    w("        ;")
    w("")
    w("const uint16_t kl_api__schema_packages[] = {")
    for p in packages:
        w("        %d, /* %s */" % (S[p], p))
    w("};")
    w("")
    w("const struct kl_api_message kl_api__schema_messages[] = {")
    for i, (pk, nm, first, nf, nb, mx, sp, fl, full) in enumerate(msgs_out):
        w("        { %d, %d, %d, %d, %d, %d, KL_API_SPECIAL_%s, %s }, /* %d %s */"
          % (nm, first, nb, pk, nf, mx, sp, fl, i, full))
    w("};")
    w("")
    w("const struct kl_api_field kl_api__schema_fields[] = {")
    for (nm, ref, num, ft, fl, mi, what) in fields_out:
        w("        { %d, %s, %d, KL_API_TYPE_%s, %s, %d }, /* %s */"
          % (nm, ref, num, ft, fl, mi, what))
    w("};")
    w("")
    w("const uint8_t kl_api__schema_by_number[] = {")
    for i in range(0, len(by_number), 16):
        w("        " + ", ".join(str(x) for x in by_number[i:i + 16]) + ",")
    w("};")
    w("")
    w("const struct kl_api_field_meta kl_api__schema_field_meta[] = {")
    for (st, lt, mt, mk, ks, _) in metas:
        w("        { %s, %s, %s, %d, %d }," % (st, lt, mt, mk, ks))
    w("};")
    w("")
    w("const uint16_t kl_api__schema_list_map_keys[] = {")
    for i in range(0, len(keys), 16):
        w("        " + ", ".join(str(x) for x in keys[i:i + 16]) + ",")
    w("};")
    w("")
    w("/* clang-format on */")
    w("")
    counts = {
        "packages": len(packages),
        "messages": len(msgs_out),
        "fields": len(fields_out),
        "by_number": len(by_number),
        "field_meta": len(metas),
        "list_map_keys": len(keys),
    }
    for k, v in counts.items():
        w("const size_t kl_api__schema_n_%s = %d;" % (k, v))
    w("const size_t kl_api__schema_strings_size = %d;" % strtab.size)
    w("")
    text = "\n".join(out)
    with open(output + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(output + ".tmp", output)
    return counts, strtab.size


def main():
    ap = argparse.ArgumentParser(description="Generate pkg/api/schema-gen.c from .proto files.")
    ap.add_argument("proto_dir", nargs="?", default=DEFAULT_PROTO_DIR)
    ap.add_argument("-o", "--output", default=DEFAULT_OUTPUT)
    args = ap.parse_args()
    messages, by_name = build(args.proto_dir)
    counts, size = generate(messages, by_name, args.proto_dir, args.output)
    print("gen-api-schema: %s: %d messages, %d fields, %d bytes of strings"
          % (os.path.relpath(args.output), counts["messages"], counts["fields"], size))


if __name__ == "__main__":
    main()
