//! Check-digit algorithms used to validate candidates. Each is written from the
//! published algorithm named in its doc comment; none panics on any input.

/// Digits of a string, ignoring everything that is not an ASCII digit.
pub(crate) fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// Luhn (ISO/IEC 7812-1 annex B): valid when the weighted sum is a multiple of 10.
pub(crate) fn luhn(digits: &[u8]) -> bool {
    if digits.len() < 2 {
        return false;
    }
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let d = u32::from(d);
        sum += if i % 2 == 1 {
            let x = d * 2;
            if x > 9 { x - 9 } else { x }
        } else {
            d
        };
    }
    sum.is_multiple_of(10)
}

/// ISO 13616 IBAN check: move the first four characters to the end, letters to
/// numbers (A = 10 … Z = 35), and the number modulo 97 must be 1.
pub(crate) fn iban_mod97(compact: &str) -> bool {
    let bytes = compact.as_bytes();
    if bytes.len() < 5 || !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (head, tail) = bytes.split_at(4);
    let mut rem = 0u32;
    for &b in tail.iter().chain(head.iter()) {
        let b = b.to_ascii_uppercase();
        if b.is_ascii_digit() {
            rem = (rem * 10 + u32::from(b - b'0')) % 97;
        } else {
            let v = u32::from(b - b'A') + 10;
            rem = (rem * 100 + v) % 97;
        }
    }
    rem == 1
}

/// ISO 7064 MOD 11-2 as used by the Chinese resident identity card (GB 11643-1999):
/// weights 2^(17-i) mod 11 over the first 17 digits; the check character is
/// `(12 - sum mod 11) mod 11`, with 10 written as `X`.
pub(crate) fn iso7064_mod11_2(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() != 18 {
        return false;
    }
    let mut sum = 0u32;
    let mut weight = 1u32;
    let mut weights = [0u32; 17];
    for w in weights.iter_mut().rev() {
        weight = (weight * 2) % 11;
        *w = weight;
    }
    for (c, w) in b.iter().take(17).zip(weights.iter()) {
        if !c.is_ascii_digit() {
            return false;
        }
        sum += u32::from(c - b'0') * w;
    }
    let check = (12 - sum % 11) % 11;
    match b.get(17) {
        Some(b'X' | b'x') => check == 10,
        Some(c) if c.is_ascii_digit() => u32::from(c - b'0') == check,
        _ => false,
    }
}

/// Verhoeff's multiplication table of the dihedral group D5.
const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

/// Verhoeff's position permutations: row `i` is row 1 applied `i` times (a test checks
/// this, since a mistyped row silently rejects valid numbers).
const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Verhoeff check (dihedral group D5), used by Aadhaar.
pub(crate) fn verhoeff(digits: &[u8]) -> bool {
    const D: [[u8; 10]; 10] = VERHOEFF_D;
    const P: [[u8; 10]; 8] = VERHOEFF_P;
    if digits.is_empty() {
        return false;
    }
    let mut c = 0usize;
    for (i, &d) in digits.iter().rev().enumerate() {
        let d = usize::from(d);
        let p = P
            .get(i % 8)
            .and_then(|row| row.get(d))
            .copied()
            .unwrap_or(0);
        c = D
            .get(c)
            .and_then(|row| row.get(usize::from(p)))
            .map(|&v| usize::from(v))
            .unwrap_or(usize::MAX);
        if c == usize::MAX {
            return false;
        }
    }
    c == 0
}

/// NHS number (England/Wales): weights 10..2 over the first nine digits;
/// check = 11 - (sum mod 11); 11 → 0; 10 → invalid.
pub(crate) fn nhs_mod11(digits: &[u8]) -> bool {
    if digits.len() != 10 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .take(9)
        .zip((2..=10).rev())
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    digits.get(9).map(|&d| u32::from(d)) == Some(check)
}

/// DEA registration number: (d1 + d3 + d5) + 2 × (d2 + d4 + d6); the last digit
/// of the sum equals d7.
pub(crate) fn dea_check(digits: &[u8]) -> bool {
    if digits.len() != 7 {
        return false;
    }
    let g = |i: usize| u32::from(digits.get(i).copied().unwrap_or(0));
    let sum = g(0) + g(2) + g(4) + 2 * (g(1) + g(3) + g(5));
    sum % 10 == g(6)
}

/// NPI: Luhn over the NPI with the card-issuer prefix 80840 in front (CMS NPI
/// check digit specification).
pub(crate) fn npi_check(digits: &[u8]) -> bool {
    if digits.len() != 10 {
        return false;
    }
    let mut all = vec![8, 0, 8, 4, 0];
    all.extend_from_slice(digits);
    luhn(&all)
}

/// Singapore NRIC/FIN check letter (weights 2,7,6,5,4,3,2; offset 4 for T/G,
/// 3 for M; letter tables per prefix group).
pub(crate) fn sg_nric(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() != 9 {
        return false;
    }
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    let weights = [2u32, 7, 6, 5, 4, 3, 2];
    let mut sum = 0u32;
    for (c, w) in b.iter().skip(1).take(7).zip(weights) {
        if !c.is_ascii_digit() {
            return false;
        }
        sum += u32::from(c - b'0') * w;
    }
    let offset = match first {
        b'T' | b'G' => 4,
        b'M' => 3,
        _ => 0,
    };
    let idx = ((sum + offset) % 11) as usize;
    let table: &[u8; 11] = match first {
        b'S' | b'T' => b"JZIHGFEDCBA",
        b'F' | b'G' => b"XWUTRQPNMLK",
        b'M' => b"XWUTRQPNJLK",
        _ => return false,
    };
    table.get(idx) == Some(&last)
}

/// Spanish DNI/NIF letter: number mod 23 indexes `TRWAGMYFPDXBNJZSQVHLCKE`.
/// NIE: X/Y/Z become 0/1/2 first.
pub(crate) fn es_nif(id: &str) -> bool {
    let compact: String = id.chars().filter(|c| *c != '-').collect();
    let b = compact.as_bytes();
    if b.len() != 9 {
        return false;
    }
    let mut n: u64 = 0;
    for (i, &c) in b.iter().take(8).enumerate() {
        let d = match (i, c) {
            (0, b'X') => 0,
            (0, b'Y') => 1,
            (0, b'Z') => 2,
            (_, c) if c.is_ascii_digit() => u64::from(c - b'0'),
            _ => return false,
        };
        n = n * 10 + d;
    }
    const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    LETTERS.get((n % 23) as usize) == b.get(8)
}

/// Italian codice fiscale check character (DM 23/12/1976): odd positions map
/// through a fixed table, even positions to 0–25, sum mod 26 as a letter.
pub(crate) fn it_fiscal(code: &str) -> bool {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let b = code.as_bytes();
    if b.len() != 16 {
        return false;
    }
    let mut sum = 0u32;
    for (i, &c) in b.iter().take(15).enumerate() {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else if c.is_ascii_uppercase() {
            u32::from(c - b'A')
        } else {
            return false;
        };
        // Positions are 1-based in the specification: index 0 is "odd".
        sum += if i % 2 == 0 {
            ODD.get(v as usize).copied().unwrap_or(0)
        } else {
            v
        };
    }
    let check = b'A' + (sum % 26) as u8;
    b.get(15) == Some(&check)
}

/// ABA routing number: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10).
pub(crate) fn aba_routing(digits: &[u8]) -> bool {
    if digits.len() != 9 {
        return false;
    }
    let g = |i: usize| u32::from(digits.get(i).copied().unwrap_or(0));
    let sum = 3 * (g(0) + g(3) + g(6)) + 7 * (g(1) + g(4) + g(7)) + (g(2) + g(5) + g(8));
    sum % 10 == 0 && sum != 0
}

/// Shannon entropy in bits per character.
pub(crate) fn entropy(s: &str) -> f32 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f32;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f32 / n;
            -p * p.log2()
        })
        .sum()
}

/// EIP-55 mixed-case checksum for an Ethereum address (`0x` + 40 hex). All-lower
/// or all-upper addresses carry no checksum and are accepted.
pub(crate) fn eip55(addr: &str) -> bool {
    use sha3::{Digest, Keccak256};
    let Some(hex) = addr.strip_prefix("0x") else {
        return false;
    };
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    if !(has_lower && has_upper) {
        return true;
    }
    let lower = hex.to_ascii_lowercase();
    let hash = Keccak256::digest(lower.as_bytes());
    for (i, c) in hex.bytes().enumerate() {
        if c.is_ascii_digit() {
            continue;
        }
        let byte = hash.get(i / 2).copied().unwrap_or(0);
        let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
        if (nibble >= 8) != c.is_ascii_uppercase() {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_known_values() {
        assert!(luhn(&digits("4111 1111 1111 1111")));
        assert!(luhn(&digits("79927398713")));
        assert!(!luhn(&digits("4111 1111 1111 1112")));
    }

    #[test]
    fn iban_known_values() {
        assert!(iban_mod97("DE89370400440532013000"));
        assert!(iban_mod97("GB82WEST12345698765432"));
        assert!(!iban_mod97("DE89370400440532013001"));
    }

    #[test]
    fn cn_id_check() {
        // GB 11643-1999 example number.
        assert!(iso7064_mod11_2("11010519491231002X"));
        assert!(!iso7064_mod11_2("110105194912310021"));
    }

    #[test]
    fn verhoeff_known() {
        assert!(verhoeff(&digits("2363")));
        assert!(!verhoeff(&digits("2364")));
        // Longer published values (Rosetta Code's Verhoeff task: 12345 -> 1,
        // 123456789012 -> 0) reach every row of the permutation table.
        assert!(verhoeff(&digits("123451")));
        assert!(verhoeff(&digits("1234567890120")));
        assert!(!verhoeff(&digits("1234567890121")));
    }

    #[test]
    fn verhoeff_tables_are_the_group() {
        // Row i of P is row 1 applied i times.
        for (i, pair) in VERHOEFF_P.windows(2).enumerate() {
            for (x, &prev) in pair[0].iter().enumerate() {
                let expected = VERHOEFF_P[1][usize::from(prev)];
                assert_eq!(pair[1][x], expected, "P[{}][{x}]", i + 1);
            }
        }
        // Every single-digit change and every adjacent swap of a valid 12-digit number
        // is caught, at every position.
        let valid = digits("1234567890120");
        assert!(verhoeff(&valid));
        for pos in 0..valid.len() {
            for d in 0..10u8 {
                if d != valid[pos] {
                    let mut changed = valid.clone();
                    changed[pos] = d;
                    assert!(!verhoeff(&changed), "{changed:?}");
                }
            }
            if pos + 1 < valid.len() && valid[pos] != valid[pos + 1] {
                let mut swapped = valid.clone();
                swapped.swap(pos, pos + 1);
                assert!(!verhoeff(&swapped), "{swapped:?}");
            }
        }
    }

    #[test]
    fn nhs_known() {
        assert!(nhs_mod11(&digits("9434765919")));
        assert!(!nhs_mod11(&digits("9434765918")));
    }

    #[test]
    fn nric_es_it() {
        assert!(sg_nric("S1234567D"));
        assert!(!sg_nric("S1234567A"));
        assert!(es_nif("12345678Z"));
        assert!(!es_nif("12345678A"));
        assert!(es_nif("X1234567L"));
        assert!(it_fiscal("RSSMRA85T10A562S"));
        assert!(!it_fiscal("RSSMRA85T10A562T"));
    }

    #[test]
    fn aba_dea_npi() {
        assert!(aba_routing(&digits("011000015")));
        assert!(!aba_routing(&digits("011000016")));
        assert!(dea_check(&digits("1234563")));
        assert!(npi_check(&digits("1234567893")));
        assert!(!npi_check(&digits("1234567894")));
    }

    #[test]
    fn eip55_checksum() {
        assert!(eip55("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
        assert!(!eip55("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
        assert!(eip55("0x52908400098527886e0f7030069857d2e4169ee7"));
    }

    #[test]
    fn entropy_ranks_randomness() {
        assert!(entropy("aaaaaaaa") < 0.1);
        assert!(entropy("x8Jq2LmZ0pVt7RwK") > 3.5);
    }
}
