"""Fixtures for the push integration tests: a docker-registry (CNCF
distribution 2.8) on a free loopback port, optionally with TLS (a CA made here
with openssl) and htpasswd bcrypt basic auth for user AWS (as ECR), and test
images made with umoci and skopeo."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import tempfile

import harness

PASSWORD = "s3cret-token"


def run(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw)


def make_ca(directory: str) -> str:
    """A CA and a server certificate for 127.0.0.1; returns the CA path."""
    harness.require_tool("openssl")
    ca_key, ca = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.crt")
    key, csr, cert = (os.path.join(directory, n) for n in ("server.key", "server.csr", "server.crt"))
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
         "-keyout", ca_key, "-out", ca])
    run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", csr])
    ext = os.path.join(directory, "ext.cnf")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
         "-extfile", ext, "-out", cert])
    # skopeo reads *.crt from a certs directory
    certs = os.path.join(directory, "certs")
    os.makedirs(certs, exist_ok=True)
    with open(ca) as src, open(os.path.join(certs, "ca.crt"), "w") as dst:
        dst.write(src.read())
    return ca


@contextlib.contextmanager
def registry(workdir: str, tls: bool, auth: bool, token: dict | None = None):
    """Yields "127.0.0.1:PORT" of a fresh docker-registry. `token` (realm,
    service, issuer, rootcertbundle) selects distribution's token auth."""
    exe = harness.require_tool("docker-registry")
    port = harness.free_port()
    root = tempfile.mkdtemp(dir=workdir)
    config = [
        "version: 0.1", "log:", "  level: error", "storage:", "  filesystem:", f"    rootdirectory: {root}",
        "  delete:", "    enabled: true", "http:", f"  addr: 127.0.0.1:{port}",
    ]
    if tls:
        config += ["  tls:", f"    certificate: {workdir}/server.crt", f"    key: {workdir}/server.key"]
    if auth:
        htpasswd = os.path.join(workdir, "htpasswd")
        harness.require_tool("htpasswd")
        with open(htpasswd, "w") as f:
            f.write(run(["htpasswd", "-Bbn", "AWS", PASSWORD]).stdout)
        config += ["auth:", "  htpasswd:", "    realm: basic-realm", f"    path: {htpasswd}"]
    if token:
        config += ["auth:", "  token:"] + [f"    {k}: {v}" for k, v in token.items()]
    path = os.path.join(root, "config.yml")
    with open(path, "w") as f:
        f.write("\n".join(config) + "\n")
    with harness.Process([exe, "serve", path]) as p:
        harness.wait_for_port(port, p.proc)
        yield f"127.0.0.1:{port}"


def umoci_image(workdir: str, name: str, files: dict[str, bytes], layers: int = 2) -> str:
    """An OCI layout at workdir/name with tag "t" and `layers` layers; returns its path."""
    harness.require_tool("umoci")
    layout = os.path.join(workdir, name)
    run(["umoci", "init", "--layout", layout])
    run(["umoci", "new", "--image", f"{layout}:t"])
    for i in range(layers):
        src = os.path.join(workdir, f"{name}-files-{i}")
        os.makedirs(src, exist_ok=True)
        for fname, content in files.items():
            with open(os.path.join(src, f"{i}-{fname}"), "wb") as f:
                f.write(content)
        run(["umoci", "insert", "--image", f"{layout}:t", src, f"/layer{i}"])
    return layout


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def layout_blobs(layout: str) -> dict[str, str]:
    """digest -> sha256 of content for every blob file of an OCI layout."""
    out = {}
    blobs = os.path.join(layout, "blobs", "sha256")
    for name in os.listdir(blobs):
        with open(os.path.join(blobs, name), "rb") as f:
            out["sha256:" + name] = sha256(f.read())
    return out


def skopeo_args(tls: bool, workdir: str, auth: bool) -> list[str]:
    args = ["--src-tls-verify=false"] if not tls else [f"--src-cert-dir={workdir}/certs"]
    if auth:
        args.append(f"--src-creds=AWS:{PASSWORD}")
    return args


def manifest_digest_from_registry(ref: str, tls: bool, workdir: str, auth: bool) -> str:
    argv = ["skopeo", "inspect", "--raw"]
    argv += ["--tls-verify=false"] if not tls else [f"--cert-dir={workdir}/certs"]
    if auth:
        argv.append(f"--creds=AWS:{PASSWORD}")
    raw = subprocess.run(argv + [f"docker://{ref}"], check=True, capture_output=True).stdout
    return sha256(raw)


def json_line(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def buildah_podman_images(workdir: str) -> dict[str, str]:
    """An image built FROM scratch with buildah (no base image needed), saved
    as oci-archive and docker-archive by buildah and as docker-archive by
    podman save. Storage lives in `workdir` (vfs driver); runtime settings as
    DESIGN.md section 4 describes (runc, cgroupfs, default_ulimits = [])."""
    harness.require_tool("buildah")
    harness.require_tool("podman")
    conf = os.path.join(workdir, "containers.conf")
    with open(conf, "w") as f:
        f.write('[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n')
    env = dict(os.environ, CONTAINERS_CONF=conf)
    storage = ["--root", os.path.join(workdir, "storage"), "--runroot", os.path.join(workdir, "runroot"),
               "--storage-driver", "vfs"]
    payload = os.path.join(workdir, "payload.bin")
    with open(payload, "wb") as f:
        f.write(os.urandom(200_000))
    ctr = run(["buildah", *storage, "from", "scratch"], env=env).stdout.strip()
    run(["buildah", *storage, "copy", ctr, payload, "/payload.bin"], env=env)
    run(["buildah", *storage, "config", "--cmd", '["/payload.bin"]', ctr], env=env)
    run(["buildah", *storage, "commit", "-q", ctr, "localhost/eem-test:1"], env=env)
    out = {k: os.path.join(workdir, f"{k}.tar") for k in ("buildah-oci", "buildah-docker", "podman-docker")}
    run(["buildah", *storage, "push", "-q", "localhost/eem-test:1", f"oci-archive:{out['buildah-oci']}:t"], env=env)
    run(["buildah", *storage, "push", "-q", "localhost/eem-test:1",
         f"docker-archive:{out['buildah-docker']}:localhost/eem-test:1"], env=env)
    run(["podman", *storage, "save", "--format", "docker-archive", "-o", out["podman-docker"],
         "localhost/eem-test:1"], env=env)
    return out


def multi_platform_layout(workdir: str) -> tuple[str, dict[str, str]]:
    """An OCI layout holding an index for linux/amd64 and linux/arm64/v8
    (written here: no tool makes one offline without a base image). Returns
    the layout path and {"index"|"amd64"|"arm64": manifest digest}."""
    import gzip
    import io
    import tarfile

    layout = os.path.join(workdir, "multi")
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)

    def put(data: bytes) -> dict:
        digest = sha256(data)
        with open(os.path.join(blobs, digest[7:]), "wb") as f:
            f.write(data)
        return {"digest": digest, "size": len(data)}

    digests = {}
    entries = []
    for arch, variant in (("amd64", ""), ("arm64", "v8")):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            info = tarfile.TarInfo(f"{arch}.txt")
            payload = f"built for {arch}\n".encode() * 1000
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
        layer = put(gzip.compress(buf.getvalue(), mtime=0))
        config = put(json.dumps({"architecture": arch, "os": "linux",
                                 "rootfs": {"type": "layers", "diff_ids": [sha256(buf.getvalue())]}}).encode())
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
                               "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **layer}]}).encode()
        m = put(manifest)
        digests[arch] = m["digest"]
        platform = {"architecture": arch, "os": "linux", **({"variant": variant} if variant else {})}
        entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", **m, "platform": platform})
    index = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                            "manifests": entries}).encode())
    digests["index"] = index["digest"]
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.index.v1+json", **index,
             "annotations": {"org.opencontainers.image.ref.name": "multi"}}]}, f)
    return layout, digests
