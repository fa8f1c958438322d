//! Shared by the HTTP tests: pskit serve's server in-process on a free
//! loopback port (bound to port 0, so no port can be taken in between).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use pskit_serve::http::Limits;
use pskit_serve::webconfig::WebConfig;
use pskit_serve::Config;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// The parsed flags (after "pskit serve").
pub fn config(flags: &[&str]) -> Config {
    let mut a = vec!["pskit serve"];
    a.extend_from_slice(flags);
    Config::parse(a).expect("flags")
}

/// Serves `cfg` on 127.0.0.1 in a thread of this process; its port.
pub fn serve(cfg: Config, web: WebConfig, limits: Limits) -> u16 {
    let l = pskit_serve::http::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || pskit_serve::http::serve_with(vec![l], cfg, web, limits));
    port
}

/// Serves these flags with no web config and the default limits.
pub fn serve_flags(flags: &[&str]) -> u16 {
    serve(config(flags), WebConfig::default(), Limits::default())
}

/// `http://127.0.0.1:PORT` + path.
pub fn url(port: u16, path: &str) -> String {
    format!("http://127.0.0.1:{port}{path}")
}

/// A fresh directory under the target directory's tmp, for files a test
/// writes (certificates, configs, Prometheus' storage).
pub fn tempdir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Sends raw bytes and reads the answer until the server closes (or 20 s).
pub fn raw(port: u16, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// A CA, a server certificate for 127.0.0.1 and localhost signed by it, a
/// client certificate signed by it, and a self-signed client certificate no
/// CA vouches for, written as PEM files in `dir`.
pub fn make_pki(dir: &Path) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.distinguished_name = DistinguishedName::new();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "pskit test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf = |name: &str, sans: Vec<String>, issuer: Option<&Issuer<'_, KeyPair>>| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(sans).unwrap();
        params.distinguished_name = DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = match issuer {
            Some(i) => params.signed_by(&key, i).unwrap(),
            None => params.self_signed(&key).unwrap(),
        };
        std::fs::write(dir.join(format!("{name}.pem")), cert.pem()).unwrap();
        std::fs::write(dir.join(format!("{name}.key")), key.serialize_pem()).unwrap();
    };
    leaf(
        "server",
        vec!["127.0.0.1".into(), "localhost".into()],
        Some(&issuer),
    );
    leaf("client", vec!["scraper.example".into()], Some(&issuer));
    leaf("stranger", vec!["stranger.example".into()], None);
}
