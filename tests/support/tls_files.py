"""A throwaway certificate authority, a server certificate and a client certificate it signed,
written as PEM files for a test's TLS servers (the TLS Redis Cluster of
tests/support/redis_cluster.py) and the clients that must present a certificate to them
(`tls-auth-clients yes`).

Made fresh at each start with `cryptography` (no openssl CLI, no key ever committed). The
server certificate names `127.0.0.1` and `localhost`, so a client that checks the host name
(redis-py does by default) accepts it for a node at 127.0.0.1; it is good for client and
server authentication alike, because a Redis node presents it on both ends of the cluster bus
and of replication (`tls-cluster`, `tls-replication`). The client certificate is for client
authentication only, as a deployment's would be.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import msgspec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_FOR = dt.timedelta(days=1)  # a test session's, with room to spare


class TlsFiles(msgspec.Struct, frozen=True):
    """Paths of the CA's certificate (what a client trusts), the server's certificate and key
    (what the server presents), and a client's certificate and key (what a client presents)."""

    ca_cert: Path
    cert: Path
    key: Path
    client_cert: Path
    client_key: Path


def write_tls_files(directory: Path) -> TlsFiles:
    """A fresh CA, a server certificate for 127.0.0.1 / localhost and a client certificate,
    written in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("skyfare test CA")
    ca_cert = (
        _builder(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    alt_names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server_uses = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    files = TlsFiles(
        directory / "ca.crt",
        directory / "server.crt",
        directory / "server.key",
        directory / "client.crt",
        directory / "client.key",
    )
    files.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    signer = _Signer(ca_key, ca_name, now)
    signer.write("skyfare test redis", server_uses, alt_names, files.cert, files.key)
    signer.write(
        "skyfare test client",
        [ExtendedKeyUsageOID.CLIENT_AUTH],
        [],
        files.client_cert,
        files.client_key,
    )
    return files


class _Signer(msgspec.Struct, frozen=True):
    """The CA, signing leaf certificates."""

    ca_key: ec.EllipticCurvePrivateKey
    ca_name: x509.Name
    now: dt.datetime

    def write(
        self,
        common_name: str,
        uses: list[x509.ObjectIdentifier],
        alt_names: list[x509.GeneralName],
        cert_path: Path,
        key_path: Path,
    ) -> None:
        """A fresh key and a certificate for it, for `uses`, written at those paths."""
        key = ec.generate_private_key(ec.SECP256R1())
        ca_key_id = x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key())
        builder = (
            _builder(_name(common_name), self.ca_name, key.public_key(), self.now)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage(uses), critical=False)
            .add_extension(ca_key_id, critical=False)
        )
        if alt_names:
            builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        cert = builder.sign(self.ca_key, hashes.SHA256())
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.touch(mode=0o600)
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, now: dt.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        # A little in the past: a clock a moment behind must not find it "not yet valid".
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
