//! Keyword tables: context words that raise a candidate's score (in several
//! languages), words that lower it, confidentiality markers, and the anchors that
//! tell the prefilter a message may hold a keyword-led pattern.
//!
//! The idea of boosting a pattern match by nearby words follows Presidio's
//! context-aware enhancer; the word lists are our own.

/// Entities whose score a context word raises, and the words.
pub(crate) const POSITIVE: &[(&[&str], &[&str])] = &[
    (
        &["CREDIT_CARD"],
        &[
            "card", "credit card", "debit card", "visa", "mastercard", "amex", "american express",
            "discover", "cc", "card number", "card no", "cvv", "cvc", "expiry", "exp", "karte",
            "kreditkarte", "kartennummer", "tarjeta", "número de tarjeta", "carte", "carte bancaire",
            "numéro de carte", "cartão", "卡号", "信用卡", "银行卡",
        ],
    ),
    (
        &["IBAN_CODE", "US_BANK_NUMBER", "SWIFT_BIC", "ABA_ROUTING_NUMBER"],
        &[
            "iban", "account", "acct", "account number", "account no", "bank", "bank account",
            "checking", "savings", "wire", "transfer", "beneficiary", "konto", "kontonummer",
            "bankverbindung", "überweisung", "cuenta", "número de cuenta", "transferencia", "compte",
            "virement", "rib", "conta", "账号", "账户", "银行账户", "汇款",
        ],
    ),
    (&["SWIFT_BIC"], &["swift", "bic", "swift code", "bic code", "sort code", "routing"]),
    (&["ABA_ROUTING_NUMBER"], &["routing", "routing number", "aba", "rtn", "aba routing"]),
    (
        &["US_SSN"],
        &[
            "ssn", "social security", "social security number", "social sec", "ss#", "ssn#",
            "sozialversicherungsnummer", "seguro social",
        ],
    ),
    (&["US_PASSPORT"], &["passport", "passport number", "passport no", "reisepass", "pasaporte", "passeport", "护照"]),
    (
        &["US_DRIVER_LICENSE"],
        &[
            "driver's license", "drivers license", "driver license", "driving licence",
            "driver's licence", "license number", "licence number", "dl", "dl#", "dln",
            "führerschein", "licencia de conducir", "permis de conduire", "驾照", "驾驶证",
        ],
    ),
    (&["UK_NHS"], &["nhs", "nhs number", "nhs no", "health service", "patient", "gp"]),
    (&["UK_NINO"], &["national insurance", "ni number", "nino", "nin"]),
    (&["CN_RESIDENT_ID"], &["身份证", "身份证号", "resident id", "id card", "identity card"]),
    (&["IN_AADHAAR"], &["aadhaar", "aadhar", "uidai", "uid", "आधार"]),
    (&["IN_PAN"], &["pan", "pan card", "permanent account number", "income tax"]),
    (&["SG_NRIC"], &["nric", "fin", "ic number", "singpass"]),
    (&["ES_NIF", "ES_NIE"], &["nif", "dni", "nie", "documento nacional"]),
    (&["IT_FISCAL_CODE"], &["codice fiscale", "fiscal code", "cf", "tessera sanitaria"]),
    (&["US_NPI"], &["npi", "national provider", "provider id", "prescriber"]),
    (&["DEA_NUMBER"], &["dea", "dea number", "dea#", "prescriber", "controlled substance"]),
    (&["US_MBI"], &["medicare", "mbi", "beneficiary identifier", "medicare number"]),
    (
        &["ICD10_CODE"],
        &[
            "icd", "icd-10", "icd10", "diagnosis", "diagnosed", "dx", "diagnose", "diagnóstico",
            "diagnostic", "诊断", "condition code",
        ],
    ),
    (
        &["MEDICAL_RECORD_NUMBER"],
        &[
            "mrn", "medical record", "medical record number", "patient id", "patient number",
            "chart number", "record number", "patientennummer", "historia clínica", "病历号",
        ],
    ),
    (
        &["PHONE_NUMBER"],
        &[
            "phone", "call", "tel", "telephone", "mobile", "cell", "number", "whatsapp", "text me",
            "reach me", "contact", "fax", "handy", "telefon", "telefonnummer", "rufnummer",
            "teléfono", "móvil", "llámame", "téléphone", "portable", "appelle", "电话", "手机",
            "联系",
        ],
    ),
    (
        &["AWS_SECRET_KEY"],
        &["aws_secret_access_key", "secret access key", "aws secret", "secret key", "aws_secret", "secretaccesskey"],
    ),
    (
        &["VERIFICATION_CODE"],
        &[
            "code", "verification code", "verification", "verify", "otp", "one-time", "one time",
            "pin", "passcode", "2fa", "sms code", "whatsapp code", "security code", "login code",
            "auth code", "confirmation code", "bestätigungscode", "sicherheitscode", "code ist",
            "código", "código de verificación", "code de vérification", "code de confirmation",
            "验证码", "校验码", "动态码",
        ],
    ),
];

/// Words that make a numeric candidate less likely to be personal data.
pub(crate) const NEGATIVE: &[(&[&str], &[&str])] = &[
    (&["IP_ADDRESS"], &["version", "release", "build", "firmware", "update to", "upgrade to"]),
    (
    &[
        "PHONE_NUMBER", "US_BANK_NUMBER", "US_SSN", "UK_NHS", "IN_AADHAAR", "US_PASSPORT",
        "US_DRIVER_LICENSE", "VERIFICATION_CODE", "CREDIT_CARD", "US_NPI", "MEDICAL_RECORD_NUMBER",
    ],
    &[
        "order", "order number", "order no", "invoice", "tracking", "tracking number", "ref",
        "reference", "ticket", "case number", "booking", "sku", "item", "part number", "serial",
        "model", "version", "build", "bestellung", "bestellnummer", "rechnung", "sendungsnummer",
        "pedido", "factura", "commande", "facture", "订单", "单号", "isbn", "po", "po number",
    ],
    ),
];

/// Confidentiality markers and their score. Matched case-insensitively, whole words.
pub(crate) const MARKERS: &[(&str, f32)] = &[
    ("confidential", 0.75),
    ("strictly confidential", 0.95),
    ("highly confidential", 0.95),
    ("private and confidential", 0.95),
    ("privileged and confidential", 0.95),
    ("confidential and privileged", 0.95),
    ("internal only", 0.85),
    ("internal use only", 0.9),
    ("for internal use only", 0.9),
    ("do not forward", 0.9),
    ("don't forward", 0.85),
    ("do not share", 0.8),
    ("do not distribute", 0.9),
    ("not for distribution", 0.9),
    ("attorney-client privileged", 0.95),
    ("attorney-client privilege", 0.95),
    ("attorney client privileged", 0.95),
    ("legally privileged", 0.9),
    ("mnpi", 0.9),
    ("material non-public information", 0.95),
    ("material nonpublic information", 0.95),
    ("inside information", 0.85),
    ("insider information", 0.85),
    ("under nda", 0.9),
    ("covered by the nda", 0.85),
    ("trade secret", 0.85),
    // German
    ("vertraulich", 0.75),
    ("streng vertraulich", 0.95),
    ("nur für den internen gebrauch", 0.9),
    ("nur intern", 0.85),
    ("nicht weiterleiten", 0.9),
    ("bitte nicht weiterleiten", 0.9),
    ("insiderinformation", 0.9),
    ("insiderinformationen", 0.9),
    ("unter nda", 0.9),
    ("geschäftsgeheimnis", 0.85),
    // French
    ("confidentiel", 0.75),
    ("strictement confidentiel", 0.95),
    ("usage interne uniquement", 0.9),
    ("usage interne", 0.8),
    ("ne pas transférer", 0.9),
    ("ne pas diffuser", 0.9),
    ("information privilégiée", 0.85),
    ("secret professionnel", 0.85),
    // Spanish
    ("confidencial", 0.75),
    ("estrictamente confidencial", 0.95),
    ("solo para uso interno", 0.9),
    ("uso interno", 0.8),
    ("no reenviar", 0.9),
    ("no divulgar", 0.9),
    ("información privilegiada", 0.85),
    // Chinese
    ("机密", 0.85),
    ("绝密", 0.95),
    ("保密", 0.75),
    ("内部资料", 0.85),
    ("仅限内部", 0.9),
    ("请勿转发", 0.9),
    ("不要转发", 0.85),
    ("内幕信息", 0.9),
];

/// Keywords whose presence lets the pattern pass run on a message with few digits.
pub(crate) const ANCHORS: &[&str] = &[
    "@", "http", "www.", "://", ".com", ".org", ".net", ".io", ".co", ".de", ".uk", ".fr", ".es",
    "akia", "asia", "abia", "acca", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-",
    "gldt-", "glrt-", "glptt-", "glft-", "glsoat-", "gloas-", "glimt-", "glagent-", "xox", "xapp-",
    "sk_live", "sk_test", "rk_live", "rk_test", "aiza", "sk-", "-----begin", "eyj", "server=",
    "data source=", "host=", "jdbc:", "password", "passwort", "passwd", "pwd", "pw", "kennwort",
    "contraseña", "mot de passe", "senha", "passcode", "wachtwoord", "parola", "密码", "口令",
    "密碼", "secret", "token", "api", "key", "auth", "bearer", "swift", "bic", "::", "0x", "bc1",
    "street", " st", "avenue", " ave", "road", " rd", "boulevard", "blvd", "lane", " ln", " dr",
    " way", "court", " ct", " pl", "terrace", "square", "parkway", "highway", "close", "crescent",
    "straße", "strasse", "weg ", "platz", "allee", "gasse", "ring ", "damm", "ufer",
];

/// Whether a keyword must stand as a whole word (ASCII letters and digits around it
/// end the match). Non-ASCII keywords (CJK) have no word boundaries to check.
pub(crate) fn wants_word_boundary(word: &str) -> bool {
    word.is_ascii() && word.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}
