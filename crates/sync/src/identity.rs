//! Who belongs to the class: the class CA on the teacher's device, device certificates,
//! revocation lists, and the TLS configurations built from them.
//!
//! A device certificate names the device (CN) and the class (O), is signed by the class CA,
//! and carries the DNS name [`SERVER_NAME`], which every client asks for: who a peer is comes
//! from the CN after the CA has vouched for it, never from an address. A revocation list is an
//! X.509 CRL signed by the CA; its CRL number orders lists, so the newest one wins wherever
//! it travels. Serial numbers are derived from device ids, so a list names devices without a
//! database of issued certificates.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams,
    CertificateSigningRequestParams, DistinguishedName, DnType, IsCa, Issuer, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RevokedCertParams, SerialNumber,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring as provider, CryptoProvider};
use rustls::pki_types::{
    CertificateDer, CertificateRevocationListDer, CertificateSigningRequestDer, PrivateKeyDer,
    PrivatePkcs8KeyDer, ServerName, UnixTime,
};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};

use crate::error::{Error, Result};

/// The name every device's certificate carries and every client asks for.
pub const SERVER_NAME: &str = "device.hugme";

fn cert_error(e: impl std::fmt::Display) -> Error {
    Error::Certificate(e.to_string())
}

fn crypto() -> Arc<CryptoProvider> {
    Arc::new(provider::default_provider())
}

/// The fingerprint of a CA certificate, as the enrolment QR code carries it.
pub fn fingerprint(certificate: &[u8]) -> String {
    blake3::hash(certificate).to_hex().to_string()
}

/// The certificate serial number of a device (positive, 16 bytes).
pub fn serial_of(device: &str) -> SerialNumber {
    let mut bytes = blake3::hash(device.as_bytes()).as_bytes()[..16].to_vec();
    bytes[0] &= 0x7F;
    bytes[0] |= 0x01; // no leading zero byte, so the DER encoding is the bytes as they are
    SerialNumber::from_slice(&bytes)
}

/// The class CA, held by the teacher's device.
#[derive(Debug)]
pub struct Authority {
    class: String,
    certificate: CertificateDer<'static>,
    key: KeyPair,
}

impl Authority {
    /// A new CA for a class.
    pub fn create(class: &str) -> Result<Self> {
        let key = KeyPair::generate().map_err(cert_error)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(cert_error)?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, format!("Hug me! class {class}"));
        name.push(DnType::OrganizationName, class);
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.not_before = time::OffsetDateTime::now_utc() - time::Duration::days(1);
        params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(3650);
        let certificate = params.self_signed(&key).map_err(cert_error)?.der().clone();
        Ok(Self {
            class: class.into(),
            certificate,
            key,
        })
    }

    /// The CA from its stored certificate and key (PKCS#8 DER).
    pub fn from_parts(class: &str, certificate: &[u8], key: &[u8]) -> Result<Self> {
        let key = KeyPair::try_from(key).map_err(cert_error)?;
        Ok(Self {
            class: class.into(),
            certificate: CertificateDer::from(certificate.to_vec()),
            key,
        })
    }

    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// The private key, PKCS#8 DER: kept on the teacher's device only.
    pub fn key(&self) -> Vec<u8> {
        self.key.serialize_der()
    }

    fn issuer(&self) -> Result<Issuer<'_, &KeyPair>> {
        Issuer::from_ca_cert_der(&self.certificate, &self.key).map_err(cert_error)
    }

    /// A device certificate for `device` in `role` (`teacher`, `group-tablet` or `hub`,
    /// written as its OU) from its signing request. The request's own names are ignored: the
    /// CA writes the device, role and class it enrolled.
    pub fn issue(&self, device: &str, role: &str, request: &[u8]) -> Result<Vec<u8>> {
        let request = CertificateSigningRequestDer::from(request.to_vec());
        let mut csr = CertificateSigningRequestParams::from_der(&request).map_err(cert_error)?;
        csr.params = device_params(device, role, &self.class)?;
        Ok(csr
            .signed_by(&self.issuer()?)
            .map_err(cert_error)?
            .der()
            .to_vec())
    }

    /// Credentials made here in full (the teacher's own device; tests).
    pub fn credentials_for(&self, device: &str, role: &str) -> Result<Credentials> {
        let (key, request) = request(device)?;
        Ok(Credentials {
            device: device.into(),
            class: self.class.clone(),
            authority: self.certificate.to_vec(),
            certificate: self.issue(device, role, &request)?,
            key,
        })
    }

    /// A revocation list numbered `number` that revokes `devices`.
    pub fn revocation_list(&self, number: u64, devices: &[String]) -> Result<Vec<u8>> {
        let now = time::OffsetDateTime::now_utc();
        let params = CertificateRevocationListParams {
            this_update: now - time::Duration::minutes(5),
            next_update: now + time::Duration::days(3650),
            crl_number: SerialNumber::from(number),
            issuing_distribution_point: None,
            revoked_certs: devices
                .iter()
                .map(|d| RevokedCertParams {
                    serial_number: serial_of(d),
                    revocation_time: now - time::Duration::minutes(5),
                    reason_code: None,
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        Ok(params
            .signed_by(&self.issuer()?)
            .map_err(cert_error)?
            .der()
            .to_vec())
    }
}

fn device_params(device: &str, role: &str, class: &str) -> Result<CertificateParams> {
    let mut params = CertificateParams::new(vec![SERVER_NAME.to_string()]).map_err(cert_error)?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, device);
    name.push(DnType::OrganizationName, class);
    name.push(DnType::OrganizationalUnitName, role);
    params.distinguished_name = name;
    params.serial_number = Some(serial_of(device));
    params.not_before = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(3650);
    params.use_authority_key_identifier_extension = true;
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    Ok(params)
}

/// A new key pair and a signing request for it: (PKCS#8 key, CSR DER). The key never leaves
/// the device.
pub fn request(device: &str) -> Result<(Vec<u8>, Vec<u8>)> {
    let key = KeyPair::generate().map_err(cert_error)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(cert_error)?;
    params.distinguished_name.push(DnType::CommonName, device);
    let csr = params.serialize_request(&key).map_err(cert_error)?;
    Ok((key.serialize_der(), csr.der().to_vec()))
}

/// Everything a device needs to take part: its certificate and key, and the class CA.
#[derive(Clone)]
pub struct Credentials {
    pub device: String,
    pub class: String,
    pub authority: Vec<u8>,
    pub certificate: Vec<u8>,
    pub key: Vec<u8>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("device", &self.device)
            .field("class", &self.class)
            .finish_non_exhaustive() // never the key
    }
}

impl Credentials {
    fn roots(&self) -> Result<Arc<RootCertStore>> {
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from(self.authority.clone()))
            .map_err(cert_error)?;
        Ok(Arc::new(roots))
    }

    fn chain(&self) -> Vec<CertificateDer<'static>> {
        vec![
            CertificateDer::from(self.certificate.clone()),
            CertificateDer::from(self.authority.clone()),
        ]
    }

    fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()))
    }

    /// The server side: a client must present a certificate of this class that the list does
    /// not revoke, except where `enrolment` lets a device with none in to ask for one.
    pub fn server_config(
        &self,
        revocations: Option<&[u8]>,
        enrolment: bool,
    ) -> Result<Arc<ServerConfig>> {
        let mut verifier = WebPkiClientVerifier::builder_with_provider(self.roots()?, crypto());
        if let Some(der) = revocations {
            verifier = verifier
                .with_crls([CertificateRevocationListDer::from(der.to_vec())])
                .only_check_end_entity_revocation();
        }
        if enrolment {
            verifier = verifier.allow_unauthenticated();
        }
        let verifier = verifier.build().map_err(cert_error)?;
        let config = ServerConfig::builder_with_provider(crypto())
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(verifier)
            .with_single_cert(self.chain(), self.key())?;
        Ok(Arc::new(config))
    }

    /// The client side: the server must show a certificate of this class the list does not
    /// revoke.
    pub fn client_config(&self, revocations: Option<&[u8]>) -> Result<Arc<ClientConfig>> {
        let mut verifier =
            rustls::client::WebPkiServerVerifier::builder_with_provider(self.roots()?, crypto());
        if let Some(der) = revocations {
            verifier = verifier
                .with_crls([CertificateRevocationListDer::from(der.to_vec())])
                .only_check_end_entity_revocation();
        }
        let verifier = verifier.build().map_err(cert_error)?;
        let config = ClientConfig::builder_with_provider(crypto())
            .with_safe_default_protocol_versions()?
            .with_webpki_verifier(verifier)
            .with_client_auth_cert(self.chain(), self.key())?;
        Ok(Arc::new(config))
    }
}

/// The TLS client of a device that is not enrolled yet: it knows the class CA only by the
/// fingerprint in the QR code, and trusts a server whose chain ends in exactly that CA.
pub fn enrolment_client_config(ca_fingerprint: &str) -> Result<Arc<ClientConfig>> {
    unenrolled_client(Some(ca_fingerprint.to_ascii_lowercase()))
}

/// The TLS client of a tablet enrolling by typed code: it knows nothing of the class yet and
/// takes any server. The code's proofs are bound to this very connection ([`crate::code`]), so
/// a server that is not the teacher's device (or relays to it) fails them; what the code then
/// brings (the CA fingerprint) is pinned for the enrolment itself.
pub fn code_client_config() -> Result<Arc<ClientConfig>> {
    unenrolled_client(None)
}

/// A client with no certificate of its own, trusting the pinned CA (or, with none, any server).
fn unenrolled_client(fingerprint: Option<String>) -> Result<Arc<ClientConfig>> {
    let verifier = PinnedAuthority {
        fingerprint,
        provider: crypto(),
    };
    let config = ClientConfig::builder_with_provider(crypto())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[derive(Debug)]
struct PinnedAuthority {
    /// None: any server (see [`code_client_config`]); the handshake's signatures are still
    /// checked.
    fingerprint: Option<String>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedAuthority {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let Some(pinned) = &self.fingerprint else {
            return Ok(ServerCertVerified::assertion());
        };
        let authority = intermediates
            .iter()
            .find(|c| &fingerprint(c) == pinned)
            .ok_or_else(|| {
                rustls::Error::General(
                    "the server is not the teacher's device of this class".into(),
                )
            })?;
        // With the pinned CA as the one root, the usual checks apply to the rest.
        let mut roots = RootCertStore::empty();
        roots
            .add(authority.clone().into_owned())
            .map_err(|e| rustls::Error::General(e.to_string()))?;
        let inner = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            self.provider.clone(),
        )
        .build()
        .map_err(|e| rustls::Error::General(e.to_string()))?;
        inner.verify_server_cert(end_entity, &[], server_name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
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
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
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

/// The device and class a certificate names (CN, O). Call only on a certificate TLS has
/// already verified against the class CA.
pub fn identity_of(certificate: &[u8]) -> Result<(String, String)> {
    let (_, cert) = x509_parser::parse_x509_certificate(certificate).map_err(cert_error)?;
    let subject = cert.subject();
    let missing = || Error::Certificate("the certificate names no device or class".into());
    let device = subject
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_owned)
        .ok_or_else(missing)?;
    let class = subject
        .iter_organization()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_owned)
        .ok_or_else(missing)?;
    Ok((device, class))
}

/// A revocation list's number, if it is a list signed by `authority`.
pub fn verified_revocations(der: &[u8], authority: &[u8]) -> Option<u64> {
    let (_, crl) = x509_parser::parse_x509_crl(der).ok()?;
    let (_, ca) = x509_parser::parse_x509_certificate(authority).ok()?;
    crl.verify_signature(ca.public_key()).ok()?;
    let number = crl.crl_number()?;
    u64::try_from(number).ok()
}

/// Whether a revocation list names `device`.
pub fn revokes(der: &[u8], device: &str) -> bool {
    let Ok((_, crl)) = x509_parser::parse_x509_crl(der) else {
        return false;
    };
    let serial = serial_of(device);
    let found = crl
        .iter_revoked_certificates()
        .any(|r| r.raw_serial() == serial.as_ref());
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_certificate_names_its_device_and_class() {
        let ca = Authority::create("class-5b").unwrap();
        let creds = ca.credentials_for("kettu-tab", "group-tablet").unwrap();
        assert_eq!(
            identity_of(&creds.certificate).unwrap(),
            ("kettu-tab".to_string(), "class-5b".to_string())
        );
        assert!(creds.server_config(None, false).is_ok());
        assert!(creds.client_config(None).is_ok());
    }

    #[test]
    fn a_revocation_list_is_numbered_signed_and_names_devices() {
        let ca = Authority::create("class-5b").unwrap();
        let list = ca.revocation_list(7, &["kettu-tab".into()]).unwrap();
        assert_eq!(verified_revocations(&list, ca.certificate()), Some(7));
        assert!(revokes(&list, "kettu-tab"));
        assert!(!revokes(&list, "saukot-tab"));
        let other = Authority::create("class-6a").unwrap();
        assert_eq!(
            verified_revocations(&list, other.certificate()),
            None,
            "another class's CA"
        );
    }
}
