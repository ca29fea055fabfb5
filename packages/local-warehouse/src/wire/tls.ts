/**
 * @packageDocumentation
 * The certificates the HTTPS endpoint serves, made at start: a certificate authority that lives only
 * in this process, and a server certificate it signs for the names the endpoint answers on.
 *
 * Why a CA and a separate server certificate rather than one self-signed certificate: clients are
 * told to trust a CA (`customCaCert` of @databricks/sql, `NODE_EXTRA_CA_CERTS`, a Java trust store
 * for JDBC/ODBC tools), and some of them refuse a server certificate that is its own issuer.
 *
 * Node can parse X.509 but not build it, so node-forge (pure JS, no dependencies) encodes and signs
 * the certificates; the RSA keys come from Node's native generator, which is much faster than
 * forge's. The CA's private key is never written anywhere: nobody can sign with it after the
 * process ends.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import forge from "node-forge";

export interface WarehouseCertificates {
  /** PEM of the CA that signed `cert`: what clients trust. */
  ca: string;
  /** PEM of the server certificate. */
  cert: string;
  /** PEM (PKCS#8) of the server certificate's private key. */
  key: string;
}

/** How long the certificates are valid. Ten days: a warehouse started today is long gone by then. */
const VALID_MS = 10 * 24 * 3600 * 1000;
/** Clock skew tolerated between this process and a client. */
const BACKDATE_MS = 3600 * 1000;

function rsaKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function serial(): string {
  // Positive (high bit clear) and unique, as RFC 5280 asks.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString("hex");
}

function certificate(subject: forge.pki.CertificateField[], publicPem: string, extensions: object[], issuer: { subject: forge.pki.CertificateField[]; privatePem: string }): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  cert.validity.notAfter = new Date(now + VALID_MS);
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.setSubject(subject);
  cert.setIssuer(issuer.subject);
  cert.setExtensions(extensions);
  cert.sign(forge.pki.privateKeyFromPem(issuer.privatePem), forge.md.sha256.create());
  return cert;
}

/**
 * A fresh CA and a server certificate for `names` (host names and IP addresses; `localhost`,
 * `127.0.0.1` and `::1` are always included so a local client can use any of them).
 */
export function makeCertificates(names: readonly string[] = []): WarehouseCertificates {
  const all = [...new Set(["localhost", "127.0.0.1", "::1", ...names.filter((n) => n !== "" && n !== "0.0.0.0" && n !== "::")])];
  const caKeys = rsaKeys();
  const caSubject = [
    { name: "commonName", value: `local-warehouse CA ${randomBytes(4).toString("hex")}` },
    { name: "organizationName", value: "macrometa-spark local-warehouse" },
  ];
  const ca = certificate(
    caSubject,
    caKeys.publicPem,
    [
      { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      { name: "subjectKeyIdentifier" },
    ],
    { subject: caSubject, privatePem: caKeys.privatePem },
  );
  const serverKeys = rsaKeys();
  const server = certificate(
    [{ name: "commonName", value: all[0]! }],
    serverKeys.publicPem,
    [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      // type 7 = iPAddress, 2 = dNSName (RFC 5280 GeneralName); Node checks host names against these only.
      { name: "subjectAltName", altNames: all.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
      { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
    ],
    { subject: caSubject, privatePem: caKeys.privatePem },
  );
  return { ca: forge.pki.certificateToPem(ca), cert: forge.pki.certificateToPem(server), key: serverKeys.privatePem };
}
