#!/usr/bin/env python3
"""Writes the libFuzzer seed corpora under tests/fuzz/libfuzzer/corpus/.

Run once by hand after changing a seed (python3 corpus/generate.py from
tests/fuzz/libfuzzer); the files are kept in the repository, so run.sh
needs no Python. Each harness's input format is described at the top of
its fuzz_NAME.c. The JSON seeds are taken from tests/interop/*.jsonl (the
documents Go's protojson accepts, refuses, or reads differently) and the
CLI suite's fixtures; the page-token seeds are made here as token.c makes
tokens (version 2: header with a SipHash-2-4 of the selector,
length-prefixed key parts, a SipHash-2-4 checksum; the key is all zero,
and the function is written out below as hashlib has none).
"""
import base64
import hashlib
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))


def write(corpus, name, data):
    d = os.path.join(HERE, corpus)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def reset(corpus):
    shutil.rmtree(os.path.join(HERE, corpus), ignore_errors=True)


# --- selector: selector text, parsed for every resource -------------------
SELECTORS = {
    "free_in_pool": "worker_pool=cpu,actor_id=",
    "spaces_tabs": "  worker_pool = cpu ,\tactor_id =  ",
    "double_eq": "worker_pool==cpu",
    "neq": "worker_pool!=gpu",
    "in_list": "node_name in (n1,n2)",
    "in_empty_elem": "actor_id in (,a1)",
    "notin": "actor_id notin (,a1, a2 ),version==7",
    "escapes": "node_name=a\\,b\\=c\\!d\\(e\\)f\\\\g\\ h",
    "escaped_list": "node_name in (b\\ c,a\\,),actor_id=,worker_pool!=x\\\\y",
    "utf8": "ip=10.0.0.1,worker_pod_uid=\u00e9\u20ac",
    "all_worker_fields": "worker_namespace=ns,worker_pool=p,worker_pod=w,"
    "actor_namespace=an,actor_template=t,actor_id=a,actor_atespace=s,"
    "ip=1.2.3.4,worker_pod_uid=u,node_name=n,version=3",
    "int64_list": "version notin (3,1),ip=10.0.0.1",
    "int64_max": "version=9223372036854775807",
    "int64_min": "version=-9223372036854775808",
    "int64_overflow": "version=99999999999999999999",
    "status": "status=STATUS_RUNNING",
    "status_number": "status=99",
    "status_list": "status in (-5,2,STATUS_RUNNING)",
    "actor_all": "atespace=s1,actor_id=a1,actor_template_namespace=tns,"
    "actor_template_name=t,status!=STATUS_PAUSED,ateom_pod_namespace=pn,"
    "ateom_pod_name=p,ateom_pod_ip=10.0.0.2,ateom_pod_uid=u,"
    "worker_pool_name=cpu,version in (1,2)",
    "atespace": "name in (s1,s2)",
    "duplicates": "node_name in (b,a,b),node_name in (a,b)",
    "contradiction": "worker_pool=a,worker_pool=b",
    "empty": "",
    "typo": "wrker_pool=cpu",
    "unterminated": "node_name in (a,b",
    "empty_list": "node_name notin ( )",
    "bad_escape": "worker_pool=c\\pu",
    "bad_utf8": b"node_name=\xc0\xaf",
    "surrogate": b"node_name=\xed\xa0\x80",
    "nul": "worker_pool=c\0pu",
    "status_bad": "status in (STATUS_RUNNING, bogus)",
    "trailing_comma": "worker_pool=cpu, ",
}
reset("selector")
for name, text in SELECTORS.items():
    write("selector", name, text)

# --- json_document: one import document, tried as every record kind -------
reset("json_document")


def documents(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return [l.rstrip(b"\n") for l in f
                if l.strip() and not l.startswith(b"#")]


for path, step in [("tests/interop/accept_worker.jsonl", 4),
                   ("tests/interop/accept_actor.jsonl", 6),
                   ("tests/interop/differences_worker.jsonl", 5),
                   ("tests/interop/differences_actor.jsonl", 5),
                   ("tests/interop/reject_worker.jsonl", 12),
                   ("tests/interop/reject_actor.jsonl", 16)]:
    stem = os.path.basename(path).replace(".jsonl", "")
    for i, doc in enumerate(documents(path)):
        if i % step == 0:
            write("json_document", "%s_%03d.json" % (stem, i), doc)
FIXTURES = {
    "cli_worker_minimal.json":
    '{"workerNamespace":"ns","workerPool":"cpu","workerPod":"p1",'
    '"ip":"10.0.0.1","version":"1","workerPodUid":"u1","nodeName":"node-1"}',
    "cli_worker_claimed.json":
    '{"workerNamespace":"ns","workerPool":"cpu","workerPod":"p2",'
    '"actorNamespace":"tns","actorTemplate":"t","actorId":"a1",'
    '"ip":"10.0.0.2","version":"3","workerPodUid":"u2",'
    '"nodeName":"node-1","actorAtespace":"s1"}',
    "cli_actor_selector.json":
    '{"actorId":"a1","version":"1","actorTemplateNamespace":"tns",'
    '"actorTemplateName":"t","status":"STATUS_RUNNING",'
    '"ateomPodNamespace":"ns","ateomPodName":"p2","ateomPodIp":'
    '"10.0.0.2","ateomPodUid":"u2","workerSelector":{"matchLabels":'
    '{"a":"1","b":"q\\"uote"}},"workerPoolName":"cpu","atespace":"s1"}',
    "cli_actor_snapshot.json":
    '{"actorId":"a2","version":"5","actorTemplateNamespace":"tns",'
    '"actorTemplateName":"t","status":"STATUS_PAUSED",'
    '"latestSnapshotInfo":{"type":"SNAPSHOT_TYPE_LOCAL","local":{'
    '"snapshotPrefix":"snap/a2","nodeVmsWithLocalSnapshots":["node-1",'
    '"node-2"]}},"workerSelector":{},"workerPoolName":"cpu",'
    '"atespace":"s1"}',
    "cli_atespace.json": '{"name":"s1"}',
    "atespace_snake_null.json": '{"name":null}',
    "atespace_unicode.json": '{"name":"s\\u00e9\\ud83d\\ude00"}',
    "not_object.json": '["name"]',
    "two_documents.json": '{"name":"a"}{"name":"b"}',
}
for name, doc in FIXTURES.items():
    write("json_document", name, doc)

# --- url: "sqlite:" + input for sqlite_url_parse; the input as it is for
# postgres_conninfo_check -------------------------------------------------
URLS = {
    "sqlite_path": "fleet.db",
    "sqlite_memory": ":memory:",
    "sqlite_busy": "fleet.db?busy_timeout_ms=100",
    "sqlite_busy_max": "fleet.db?busy_timeout_ms=3600000",
    "sqlite_busy_over": "fleet.db?busy_timeout_ms=3600001",
    "sqlite_busy_junk": "fleet.db?busy_timeout_ms=1junk",
    "sqlite_all": "/var/lib/a b.db?synchronous=normal&mode=ro&immutable=1",
    "sqlite_sizes": "fleet.db?cache_size_mb=64&mmap_size_mb=0",
    "sqlite_sizes_over": "fleet.db?cache_size_mb=65537&mmap_size_mb=1048577",
    "sqlite_empty_opts": "x.db?&&synchronous=full&",
    "sqlite_no_path": "?mode=ro",
    "sqlite_unknown": "x.db?journal=wal",
    "pg_url": "postgres://user:s3cretpw@localhost:5432/db?sslmode=disable",
    "pg_multihost": "postgresql://h1:5432,h2:5433,h3/db?"
    "target_session_attrs=read-write&connect_timeout=5",
    "pg_ipv6": "postgresql://[::1]:5432/db",
    "pg_port_range": "postgresql://u@h:99999/db",
    "pg_percent": "postgresql://u:p%41ss9word@h/d",
    "pg_bad_percent": "postgresql://u:p%zzss9word@h/d",
    "pg_conninfo": "host=localhost port=5432 user=u dbname=d "
    "password=s3cretpw connect_timeout=10",
    "pg_conninfo_quoted": "dbname='quoted value' password='it''s9pw'",
    "pg_port_list": "host=a,b port=5432,",
    "pg_port_text": "port=abc",
    "pg_keepalives": "keepalives=1 keepalives_idle=30 keepalives_interval=-1 "
    "keepalives_count=x tcp_user_timeout=2147483648",
    "pg_socket": "host=/var/run/postgresql",
    "pg_unterminated": "password='s3cret",
    "pg_nbsp": "port=5432\u00a0password=s3cretpw",
    "pg_pooler_url": "postgresql://u@h/db?sslmode=disable&"
    "atesql_pooler=transaction&connect_timeout=3",
    "pg_pooler_conninfo": "host=h atesql_pooler = 'none' dbname=d",
    "pg_pooler_bad": "atesql_pooler=session port=5432",
}
reset("url")
for name, text in URLS.items():
    write("url", name, text)

# --- page_token: byte 0 mode + 3 * (resource - 1), byte 1 selector index,
# then the payload (fuzz_page_token.c) -------------------------------------
TOKEN_SELECTORS = ["", "worker_pool=cpu,actor_id=", "status=STATUS_RUNNING",
                   "name in (a,b)", "node_name in (n1,n2\\,x),version=7"]
KEYS = {1: [b"ns", b"cpu", b"p1"], 2: [b"s1", b"a1"], 3: [b"s1"]}


def raw_token(resource, selector, parts, count=None):
    raw = bytes([2, resource]) + siphash24(bytes(16), selector.encode())
    raw += bytes([len(parts) if count is None else count])
    for p in parts:
        raw += len(p).to_bytes(4, "big") + p
    return raw


def siphash24(key, data):
    M = 0xffffffffffffffff
    k0 = int.from_bytes(key[:8], "little")
    k1 = int.from_bytes(key[8:], "little")
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d,
         k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]

    def rotl(x, b):
        return ((x << b) | (x >> (64 - b))) & M

    def rounds(n):
        for _ in range(n):
            v[0] = (v[0] + v[1]) & M; v[1] = rotl(v[1], 13) ^ v[0]
            v[0] = rotl(v[0], 32)
            v[2] = (v[2] + v[3]) & M; v[3] = rotl(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & M; v[3] = rotl(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & M; v[1] = rotl(v[1], 17) ^ v[2]
            v[2] = rotl(v[2], 32)

    end = len(data) - len(data) % 8
    for i in range(0, end, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v[3] ^= m; rounds(2); v[0] ^= m
    m = (len(data) & 0xff) << 56 | int.from_bytes(data[end:], "little")
    v[3] ^= m; rounds(2); v[0] ^= m
    v[2] ^= 0xff; rounds(4)
    return ((v[0] ^ v[1] ^ v[2] ^ v[3]) & M).to_bytes(8, "little")


def token(raw):
    raw += siphash24(bytes(16), raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


reset("page_token")
for resource, parts in KEYS.items():
    for sel in (0, 1, 3):
        head = bytes([0 + 3 * (resource - 1), sel])
        write("page_token", "text_r%d_s%d" % (resource, sel),
              head + token(raw_token(resource, TOKEN_SELECTORS[sel], parts)))
        head = bytes([1 + 3 * (resource - 1), sel])
        write("page_token", "resealed_r%d_s%d" % (resource, sel),
              head + raw_token(resource, TOKEN_SELECTORS[sel], parts))
        head = bytes([2 + 3 * (resource - 1), sel])
        write("page_token", "round_r%d_s%d" % (resource, sel),
              head + b"\0".join(parts))
write("page_token", "text_other_selector",
      bytes([0, 2]) + token(raw_token(1, TOKEN_SELECTORS[1], KEYS[1])))
write("page_token", "text_not_base64", bytes([0, 0]) + b"not a token!")
# A version 1 token (a SHA-256 checksum), refused naming its version.
V1 = bytes([1]) + raw_token(1, TOKEN_SELECTORS[1], KEYS[1])[1:]
write("page_token", "text_version_1", bytes([0, 1]) + base64.urlsafe_b64encode(
    V1 + hashlib.sha256(V1).digest()[:16]).rstrip(b"="))
write("page_token", "text_padded", bytes([0, 0]) +
      base64.urlsafe_b64encode(raw_token(1, "", KEYS[1]) + b"\0" * 8))
write("page_token", "resealed_long_part", bytes([1, 0]) + raw_token(
    1, "", [b"ns", b"cpu"]) + b"\xff\xff\xff\xf0p")
write("page_token", "resealed_count_mismatch", bytes([4, 0]) +
      raw_token(2, "", KEYS[2], count=3))
write("page_token", "resealed_nul_in_part", bytes([7, 0]) +
      raw_token(3, "", [b"s\0one"]))
write("page_token", "round_utf8_parts", bytes([2, 4]) +
      "n\u00e9\0\u20ac\0p/1".encode())
