//! Health identifiers: NPI, DEA, Medicare MBI, ICD-10 codes, medical record numbers.

use crate::checksum::{dea_check, digits, npi_check};
use crate::pattern::{PatternDef, ValidateCtx, Verdict, accept};

pub(crate) fn patterns() -> Vec<PatternDef> {
    vec![
        PatternDef::new("US_NPI", "npi_luhn", r"\b[12][0-9]{9}\b", npi, 0.45),
        PatternDef::new(
            "DEA_NUMBER",
            "dea_check",
            r"\b[ABCDEFGHJKLMPRSTUX][A-Z9][0-9]{7}\b",
            dea,
            0.8,
        ),
        PatternDef::new(
            "US_MBI",
            "us_mbi",
            r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9]-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9]-?[AC-HJKMNP-RT-Y]{2}[0-9]{2}\b",
            mbi,
            0.8,
        ),
        PatternDef::new(
            "ICD10_CODE",
            "icd10",
            r"\b[A-TV-Z][0-9][0-9AB](?:\.[0-9A-TV-Z]{1,4})?\b",
            accept,
            0.5,
        )
        .with_context(),
        PatternDef::new(
            "MEDICAL_RECORD_NUMBER",
            "mrn",
            r"\b[A-Z]{0,3}-?[0-9]{5,10}\b",
            accept,
            0.5,
        )
        .with_context(),
    ]
}

fn npi(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    if npi_check(&digits(c)) {
        Verdict::score(1.0)
    } else {
        None
    }
}

fn dea(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    if dea_check(&digits(c)) {
        Verdict::score(1.0)
    } else {
        None
    }
}

fn mbi(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let dashes = c.bytes().filter(|&b| b == b'-').count();
    if dashes == 1 {
        return None;
    }
    Verdict::score(1.0)
}
