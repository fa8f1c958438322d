//! `--web.config.file`: the Prometheus exporter-toolkit's web configuration
//! (TLS, client certificates, basic authentication, extra response headers),
//! read with the same keys and checks, and turned into a rustls server
//! configuration (ring provider) and a table of bcrypt hashes.
//!
//! ```
//! let dir = std::env::temp_dir().join(format!("pskit-webconfig-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("web.yml");
//! let hash = bcrypt::hash("s3cret", 4).unwrap();
//! std::fs::write(&path, format!("basic_auth_users:\n  alice: {hash}\n")).unwrap();
//! let web = pskit_serve::webconfig::WebConfig::load(&path).unwrap();
//! assert!(web.tls.is_none());
//! assert_eq!(web.users.len(), 1);
//! assert!(pskit_serve::webconfig::WebConfig::load(&dir.join("missing.yml")).is_err());
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    DigitallySignedStruct, DistinguishedName, RootCertStore, ServerConfig, SignatureScheme,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use serde::Deserialize;

/// The file as written: exporter-toolkit's keys, unknown keys refused (as
/// its strict YAML reading does).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    tls_server_config: Option<TlsFile>,
    #[serde(default)]
    http_server_config: Option<HttpFile>,
    #[serde(default)]
    basic_auth_users: Option<BTreeMap<String, String>>,
    #[serde(default)]
    rate_limit: Option<RateLimitFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsFile {
    #[serde(default)]
    cert: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    client_ca: String,
    #[serde(default)]
    cert_file: String,
    #[serde(default)]
    key_file: String,
    #[serde(default)]
    client_auth_type: String,
    #[serde(default)]
    client_ca_file: String,
    #[serde(default)]
    client_allowed_sans: Option<Vec<String>>,
    #[serde(default)]
    min_version: Option<String>,
    #[serde(default)]
    max_version: Option<String>,
    #[serde(default)]
    cipher_suites: Vec<String>,
    #[serde(default)]
    prefer_server_cipher_suites: Option<bool>,
    #[serde(default)]
    curve_preferences: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpFile {
    #[serde(default)]
    http2: Option<bool>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimitFile {
    #[serde(default)]
    #[allow(dead_code)] // accepted, as exporter-toolkit does; see `parse`
    burst: Option<u64>,
    #[serde(default)]
    interval: Option<String>,
}

/// The headers exporter-toolkit lets a configuration add to every response,
/// with the values each may take (none listed: any value).
const EXTRA_HEADERS: &[(&str, &[&str])] = &[
    ("Strict-Transport-Security", &[]),
    ("X-Content-Type-Options", &["nosniff"]),
    ("X-Frame-Options", &["deny", "sameorigin"]),
    ("X-XSS-Protection", &[]),
    ("Content-Security-Policy", &[]),
];

/// How a TLS server asks for client certificates (Go's `tls.ClientAuthType`
/// names, as exporter-toolkit's `client_auth_type` takes them).
///
/// ```
/// use pskit_serve::webconfig::ClientAuth;
/// assert_eq!(ClientAuth::parse("RequireAndVerifyClientCert"), Ok(ClientAuth::RequireAndVerify));
/// assert_eq!(ClientAuth::parse(""), Ok(ClientAuth::None));
/// assert!(ClientAuth::parse("Maybe").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `NoClientCert` (the default): no certificate asked for.
    None,
    /// `RequestClientCert`: asked for, not required, not verified.
    Request,
    /// `RequireAnyClientCert`: required, not verified against a CA.
    RequireAny,
    /// `VerifyClientCertIfGiven`: not required, verified when given.
    VerifyIfGiven,
    /// `RequireAndVerifyClientCert`: required and verified against the
    /// client CA: the one setting that authenticates clients.
    RequireAndVerify,
}

impl ClientAuth {
    /// Reads Go's name of the policy.
    ///
    /// ```
    /// assert!(pskit_serve::webconfig::ClientAuth::parse("RequireClientCert").is_ok());
    /// ```
    pub fn parse(s: &str) -> Result<ClientAuth, String> {
        Ok(match s {
            "" | "NoClientCert" => ClientAuth::None,
            "RequestClientCert" => ClientAuth::Request,
            "RequireAnyClientCert" | "RequireClientCert" => ClientAuth::RequireAny,
            "VerifyClientCertIfGiven" => ClientAuth::VerifyIfGiven,
            "RequireAndVerifyClientCert" => ClientAuth::RequireAndVerify,
            _ => return Err(format!("invalid ClientAuth: {s}")),
        })
    }
}

/// A loaded web configuration: what the server needs at run time.
///
/// ```
/// let w = pskit_serve::webconfig::WebConfig::default();
/// assert!(w.tls.is_none() && w.users.is_empty() && w.headers.is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// The rustls configuration when `tls_server_config` is set.
    pub tls: Option<Arc<ServerConfig>>,
    /// `basic_auth_users`: user name to bcrypt hash (empty: no
    /// authentication).
    pub users: BTreeMap<String, String>,
    /// `http_server_config.headers`: added to every response.
    pub headers: Vec<(String, String)>,
    /// The file it was loaded from, and the certificate, key and CA files
    /// that file names: the server reloads the configuration when one of
    /// them changes (empty when made from text).
    pub files: Vec<PathBuf>,
}

impl WebConfig {
    /// Reads and checks the file: YAML with exporter-toolkit's keys, bcrypt
    /// hashes, and for TLS the certificate and key (and the client CA) that
    /// relative paths name beside the file. Every problem is an `Err` that
    /// says what is wrong.
    ///
    /// ```
    /// let p = std::env::temp_dir().join(format!("pskit-webconfig-bad-{}.yml", std::process::id()));
    /// std::fs::write(&p, "tls_server_config:\n  cert_file: nosuch.crt\n").unwrap();
    /// let e = pskit_serve::webconfig::WebConfig::load(&p).unwrap_err();
    /// assert!(e.contains("key"), "{e}");
    /// ```
    pub fn load(path: &Path) -> Result<WebConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut w = Self::parse(&text, dir).map_err(|e| format!("{}: {e}", path.display()))?;
        w.files.insert(0, path.to_path_buf());
        Ok(w)
    }

    /// What the files it was loaded from look like now (size, change time,
    /// inode of each; `None` for one that is gone): a different stamp means
    /// a reload.
    ///
    /// ```
    /// let p = std::env::temp_dir().join(format!("pskit-webconfig-stamp-{}.yml", std::process::id()));
    /// std::fs::write(&p, "").unwrap();
    /// let w = pskit_serve::webconfig::WebConfig::load(&p).unwrap();
    /// let before = w.stamp();
    /// std::fs::write(&p, "basic_auth_users: {}\n").unwrap();
    /// assert_ne!(w.stamp(), before);
    /// ```
    pub fn stamp(&self) -> Vec<Option<(u64, i64, i64, u64)>> {
        use std::os::unix::fs::MetadataExt;
        self.files
            .iter()
            .map(|f| {
                std::fs::metadata(f)
                    .ok()
                    .map(|m| (m.len(), m.mtime(), m.mtime_nsec(), m.ino()))
            })
            .collect()
    }

    /// Checks a configuration given as text; relative file names are taken
    /// from `dir`.
    ///
    /// ```
    /// use pskit_serve::webconfig::WebConfig;
    /// let dir = std::path::Path::new(".");
    /// assert!(WebConfig::parse("", dir).unwrap().users.is_empty());
    /// assert!(WebConfig::parse("nosuch_key: 1\n", dir).is_err());
    /// assert!(WebConfig::parse("basic_auth_users:\n  bob: notahash\n", dir).is_err());
    /// assert!(WebConfig::parse("http_server_config:\n  headers:\n    X-Frame-Options: always\n", dir).is_err());
    /// ```
    pub fn parse(text: &str, dir: &Path) -> Result<WebConfig, String> {
        let file: File = if text.trim().is_empty() {
            File::default()
        } else {
            serde_norway::from_str::<Option<File>>(text)
                .map_err(|e| format!("parsing YAML: {e}"))?
                .unwrap_or_default()
        };
        let users = file.basic_auth_users.unwrap_or_default();
        for (user, hash) in &users {
            hash.parse::<bcrypt::HashParts>()
                .map_err(|e| format!("basic_auth_users: {user}: not a bcrypt hash: {e}"))?;
        }
        let mut headers = Vec::new();
        let http = file.http_server_config.unwrap_or_default();
        for (k, v) in http.headers {
            let Some((_, allowed)) = EXTRA_HEADERS.iter().find(|(h, _)| *h == k) else {
                return Err(format!("HTTP header {k:?} can not be configured"));
            };
            if !allowed.is_empty() && !allowed.contains(&v.as_str()) {
                return Err(format!(
                    "invalid value for {k}. Expected one of: {allowed:?}, but got: {v:?}"
                ));
            }
            if v.is_empty() {
                continue; // "Unset if blank"
            }
            if hyper::header::HeaderValue::from_str(&v).is_err() {
                return Err(format!(
                    "HTTP header {k}: value {v:?} is not a valid header value"
                ));
            }
            headers.push((k, v));
        }
        if let Some(rl) = &file.rate_limit {
            // exporter-toolkit's token bucket; an interval of 0 turns it off.
            let off = rl
                .interval
                .as_deref()
                .is_none_or(|i| i.chars().all(|c| !c.is_ascii_digit() || c == '0'));
            if !off {
                return Err(
                    "rate_limit is not supported by pskit serve (--web.max-requests bounds scrapes in flight)"
                        .into(),
                );
            }
        }
        let mut files = Vec::new();
        let tls = match file.tls_server_config {
            Some(t) if t.enabled() => {
                for f in [&t.cert_file, &t.key_file, &t.client_ca_file] {
                    if !f.is_empty() {
                        files.push(join(dir, f));
                    }
                }
                Some(Arc::new(t.server_config(dir, http.http2)?))
            }
            Some(t) if t.has_other_settings() => {
                return Err("tls_server_config has settings but no certificate: missing one of cert or cert_file".into())
            }
            _ => None,
        };
        Ok(WebConfig {
            tls,
            users,
            headers,
            files,
        })
    }
}

impl TlsFile {
    fn enabled(&self) -> bool {
        !(self.cert_file.is_empty()
            && self.cert.is_empty()
            && self.key_file.is_empty()
            && self.key.is_empty()
            && self.client_ca_file.is_empty()
            && self.client_ca.is_empty()
            && self.client_auth_type.is_empty())
    }

    fn has_other_settings(&self) -> bool {
        self.client_allowed_sans.is_some()
            || self.min_version.is_some()
            || self.max_version.is_some()
            || !self.cipher_suites.is_empty()
            || !self.curve_preferences.is_empty()
    }

    fn server_config(&self, dir: &Path, _http2: Option<bool>) -> Result<ServerConfig, String> {
        if self.cert_file.is_empty() && self.cert.is_empty() {
            return Err("missing one of cert or cert_file".into());
        }
        if self.key_file.is_empty() && self.key.is_empty() {
            return Err("missing one of key or key_file".into());
        }
        let read = |what: &str, file: &str, inline: &str| -> Result<Vec<u8>, String> {
            if file.is_empty() {
                return Ok(inline.as_bytes().to_vec());
            }
            let p = join(dir, file);
            std::fs::read(&p).map_err(|e| format!("failed to read {what} ({}): {e}", p.display()))
        };
        let cert_pem = read("cert_file", &self.cert_file, &self.cert)?;
        let key_pem = read("key_file", &self.key_file, &self.key)?;
        let certs = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("failed to load X509KeyPair: certificate: {e}"))?;
        if certs.is_empty() {
            return Err("failed to load X509KeyPair: no certificate in cert/cert_file".into());
        }
        let key = PrivateKeyDer::from_pem_slice(&key_pem)
            .map_err(|e| format!("failed to load X509KeyPair: private key: {e}"))?;

        let mut provider = rustls::crypto::ring::default_provider();
        if !self.cipher_suites.is_empty() {
            let mut chosen = Vec::new();
            for name in &self.cipher_suites {
                let want = name.trim_end_matches("_SHA256");
                let Some(s) = provider.cipher_suites.iter().find(|s| {
                    s.version() == &rustls::version::TLS12
                        && format!("{:?}", s.suite()).trim_end_matches("_SHA256") == want
                }) else {
                    return Err(format!(
                        "cipher_suites: {name} is unknown or not offered by rustls (TLS 1.2 suites with AES-GCM or ChaCha20-Poly1305)"
                    ));
                };
                chosen.push(*s);
            }
            // As Go: the list governs TLS 1.2; TLS 1.3's suites stay.
            let tls13 = provider
                .cipher_suites
                .iter()
                .filter(|s| s.version() == &rustls::version::TLS13)
                .copied();
            provider.cipher_suites = tls13.chain(chosen).collect();
        }
        if !self.curve_preferences.is_empty() {
            let mut groups = Vec::new();
            for name in &self.curve_preferences {
                let rustls_name = match name.as_str() {
                    "CurveP256" => "secp256r1",
                    "CurveP384" => "secp384r1",
                    "X25519" => "X25519",
                    "CurveP521" => continue, // not in rustls' ring provider
                    _ => return Err(format!("unknown curve: {name}")),
                };
                if let Some(g) = provider
                    .kx_groups
                    .iter()
                    .find(|g| format!("{:?}", g.name()) == rustls_name)
                {
                    groups.push(*g);
                }
            }
            if groups.is_empty() {
                return Err("curve_preferences: none of the curves is offered by rustls (X25519, CurveP256, CurveP384)".into());
            }
            provider.kx_groups = groups;
        }
        let provider = Arc::new(provider);

        let min = tls_version(self.min_version.as_deref().unwrap_or("TLS12"))?;
        let max = tls_version(self.max_version.as_deref().unwrap_or("TLS13"))?;
        let mut versions = Vec::new();
        if min <= 12 && max >= 12 {
            versions.push(&rustls::version::TLS12);
        }
        if min <= 13 && max >= 13 {
            versions.push(&rustls::version::TLS13);
        }
        if versions.is_empty() {
            return Err(format!(
                "min_version/max_version allow no TLS version rustls has (TLS12, TLS13): {:?} to {:?}",
                self.min_version, self.max_version
            ));
        }

        let auth = ClientAuth::parse(&self.client_auth_type)?;
        let ca_pem = if !self.client_ca_file.is_empty() {
            Some(read("client_ca_file", &self.client_ca_file, "")?)
        } else if !self.client_ca.is_empty() {
            Some(self.client_ca.as_bytes().to_vec())
        } else {
            None
        };
        if ca_pem.is_some() && auth == ClientAuth::None {
            return Err("client CA's have been configured without a Client Auth Policy".into());
        }
        let mut roots = RootCertStore::empty();
        if let Some(pem) = &ca_pem {
            for c in CertificateDer::pem_slice_iter(pem) {
                let c = c.map_err(|e| format!("client CA: {e}"))?;
                roots
                    .add(c)
                    .map_err(|e| format!("client CA: not a usable CA certificate: {e}"))?;
            }
        }
        let sans = self.client_allowed_sans.clone().unwrap_or_default();
        let verifier: Option<Arc<dyn ClientCertVerifier>> = match auth {
            ClientAuth::None => None,
            ClientAuth::Request | ClientAuth::RequireAny => Some(Arc::new(AnyCert {
                mandatory: auth == ClientAuth::RequireAny,
                provider: provider.clone(),
                sans,
            })),
            ClientAuth::VerifyIfGiven | ClientAuth::RequireAndVerify => {
                if roots.is_empty() {
                    return Err(format!(
                        "client_auth_type {} needs client_ca_file (or client_ca) with at least one certificate",
                        self.client_auth_type
                    ));
                }
                let mut b =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
                if auth == ClientAuth::VerifyIfGiven {
                    b = b.allow_unauthenticated();
                }
                let inner = b.build().map_err(|e| format!("client CA: {e}"))?;
                if sans.is_empty() {
                    Some(inner)
                } else {
                    Some(Arc::new(SanCheck { inner, sans }))
                }
            }
        };
        let builder = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&versions)
            .map_err(|e| format!("TLS: {e}"))?;
        let builder = match verifier {
            Some(v) => builder.with_client_cert_verifier(v),
            None => builder.with_no_client_auth(),
        };
        let mut cfg = builder
            .with_single_cert(certs, key)
            .map_err(|e| format!("failed to load X509KeyPair: {e}"))?;
        cfg.ignore_client_order = self.prefer_server_cipher_suites.unwrap_or(true);
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(cfg)
    }
}

fn join(dir: &Path, file: &str) -> PathBuf {
    let p = Path::new(file);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

fn tls_version(s: &str) -> Result<u8, String> {
    Ok(match s {
        "TLS10" => 10,
        "TLS11" => 11,
        "TLS12" => 12,
        "TLS13" => 13,
        _ => return Err(format!("unknown TLS version: {s}")),
    })
}

/// Whether the end-entity certificate names one of `sans`: a DNS name or IP
/// address that the certificate is valid for (exact names, as
/// exporter-toolkit's `client_allowed_sans`; e-mail and URI names are not
/// read).
fn san_allowed(cert: &CertificateDer<'_>, sans: &[String]) -> bool {
    let Ok(ee) = webpki::EndEntityCert::try_from(cert) else {
        return false;
    };
    sans.iter().any(|s| {
        rustls_pki_types::ServerName::try_from(s.as_str())
            .is_ok_and(|n| ee.verify_is_valid_for_subject_name(&n).is_ok())
    })
}

fn san_error(sans: &[String]) -> rustls::Error {
    rustls::Error::General(format!(
        "could not find allowed SANs in client cert, found: {sans:?}"
    ))
}

/// A verifier that takes any client certificate (Go's `RequestClientCert`
/// and `RequireAnyClientCert`): the handshake still proves the client holds
/// the certificate's key.
#[derive(Debug)]
struct AnyCert {
    mandatory: bool,
    provider: Arc<CryptoProvider>,
    sans: Vec<String>,
}

impl ClientCertVerifier for AnyCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if !self.sans.is_empty() && !san_allowed(end_entity, &self.sans) {
            return Err(san_error(&self.sans));
        }
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// rustls' CA verification, then exporter-toolkit's `client_allowed_sans`.
#[derive(Debug)]
struct SanCheck {
    inner: Arc<dyn ClientCertVerifier>,
    sans: Vec<String>,
}

impl ClientCertVerifier for SanCheck {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let ok = self
            .inner
            .verify_client_cert(end_entity, intermediates, now)?;
        if san_allowed(end_entity, &self.sans) {
            Ok(ok)
        } else {
            Err(san_error(&self.sans))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mangled versions of a full configuration (bytes flipped, dropped,
    /// duplicated, cut short) are refused or accepted, never a panic.
    #[test]
    fn mangled_files_never_panic() {
        let good = "tls_server_config:\n  cert: |\n    -----BEGIN CERTIFICATE-----\n    MIIB\n    -----END CERTIFICATE-----\n  key: k\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca: c\n  client_allowed_sans: [a, b]\n  min_version: TLS12\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n  curve_preferences: [X25519]\nhttp_server_config:\n  http2: true\n  headers:\n    X-Frame-Options: deny\nbasic_auth_users:\n  alice: $2y$04$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZa\nrate_limit:\n  interval: 1s\n  burst: 2\n";
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let dir = Path::new("/nonexistent");
        for _ in 0..3000 {
            let mut b = good.as_bytes().to_vec();
            for _ in 0..(next() % 6 + 1) {
                let i = (next() as usize) % b.len().max(1);
                match next() % 4 {
                    0 => b[i] = (next() % 256) as u8,
                    1 => {
                        b.remove(i);
                    }
                    2 => b.insert(i, b"\n :-[{|>\"'\\&*!%@#"[(next() % 17) as usize]),
                    _ => b.truncate(i),
                }
                if b.is_empty() {
                    break;
                }
            }
            let _ = WebConfig::parse(&String::from_utf8_lossy(&b), dir);
        }
    }
}
