//! Identity numbers of parties: property tests over generated valid resident identity numbers
//! (GB 11643-1999) and unified social credit codes (GB 32100-2015), known valid and invalid
//! examples.

use jingzhi_domain::case::ids::*;
use jingzhi_domain::case::{ResidentId, ResidentIdError, Uscc, UsccError};
use proptest::prelude::*;

const USCC_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A valid resident identity number from its parts.
fn resident_id(province: u8, county: u16, y: i16, m: i8, d: i8, seq: u16) -> String {
    let body = format!("{province:02}{county:04}{y:04}{m:02}{d:02}{seq:03}");
    format!("{body}{}", resident_id_check_digit(&body).unwrap())
}

fn arb_resident_id() -> impl Strategy<Value = String> {
    (
        prop::sample::select(PROVINCE_CODES.to_vec()),
        0u16..10_000,
        1900i16..2026,
        1i8..=12,
        1i8..=28,
        0u16..1000,
    )
        .prop_map(|(p, c, y, m, d, s)| resident_id(p, c, y, m, d, s))
}

fn arb_uscc() -> impl Strategy<Value = String> {
    let pairs: Vec<(char, char)> = USCC_DEPARTMENTS
        .iter()
        .flat_map(|d| d.categories.iter().map(move |(c, _)| (d.code, *c)))
        .collect();
    (
        prop::sample::select(pairs),
        prop::sample::select(PROVINCE_CODES.to_vec()),
        0u16..10_000,
        prop::collection::vec(prop::sample::select(USCC_CHARS.to_vec()), 8),
    )
        .prop_map(|((d, c), p, county, org)| {
            let org: String = org.into_iter().map(char::from).collect();
            let body = format!("{d}{c}{p:02}{county:04}{org}{}", org_code_check_char(&org).unwrap());
            format!("{body}{}", uscc_check_char(&body).unwrap())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn generated_resident_ids_are_valid(id in arb_resident_id()) {
        let parsed = ResidentId::parse(&id).unwrap();
        prop_assert_eq!(parsed.as_str(), id.as_str());
        prop_assert_eq!(parsed.masked().len(), 18);
    }

    /// MOD 11-2 detects every single-character substitution (a digit by another digit; the check
    /// character by any other of 0–9, X).
    #[test]
    fn changing_one_character_of_a_resident_id_makes_it_invalid(
        id in arb_resident_id(),
        pos in 0usize..18,
        delta in 1usize..10,
    ) {
        let mut b = id.into_bytes();
        let alphabet: &[u8] = if pos < 17 { b"0123456789" } else { b"0123456789X" };
        let i = alphabet.iter().position(|c| *c == b[pos]).unwrap();
        b[pos] = alphabet[(i + delta) % alphabet.len()];
        let s = String::from_utf8(b).unwrap();
        prop_assert!(ResidentId::parse(&s).is_err(), "{} accepted", s);
    }

    /// MOD 11-2 also detects swapping two different adjacent digits.
    #[test]
    fn swapping_adjacent_digits_of_a_resident_id_makes_it_invalid(id in arb_resident_id(), pos in 0usize..16) {
        let mut b = id.into_bytes();
        prop_assume!(b[pos] != b[pos + 1]);
        b.swap(pos, pos + 1);
        let s = String::from_utf8(b).unwrap();
        prop_assert!(ResidentId::parse(&s).is_err(), "{} accepted", s);
    }

    #[test]
    fn generated_credit_codes_are_valid(code in arb_uscc()) {
        let u = Uscc::parse(&code).unwrap();
        prop_assert_eq!(u.as_str(), code.as_str());
        prop_assert!(!u.department().is_empty() && !u.category().is_empty());
        prop_assert_eq!(u.org_code().len(), 10);
    }

    /// The MOD 31 check (and the organisation code's MOD 11 check) detect every single-character
    /// substitution inside the code's alphabet.
    #[test]
    fn changing_one_character_of_a_credit_code_makes_it_invalid(
        code in arb_uscc(),
        pos in 0usize..18,
        delta in 1usize..31,
    ) {
        let mut b = code.into_bytes();
        let i = USCC_CHARS.iter().position(|c| *c == b[pos]).unwrap();
        b[pos] = USCC_CHARS[(i + delta) % 31];
        let s = String::from_utf8(b).unwrap();
        prop_assert!(Uscc::parse(&s).is_err(), "{} accepted", s);
        prop_assert!(Uscc::parse_lenient(&s).is_err(), "{} accepted leniently", s);
    }

    #[test]
    fn lower_case_and_spaces_are_accepted(code in arb_uscc(), id in arb_resident_id()) {
        let lower = format!("  {}\t", code.to_lowercase());
        prop_assert_eq!(Uscc::parse(&lower).unwrap().to_string(), code);
        prop_assert_eq!(ResidentId::parse(&id.to_lowercase()).unwrap().to_string(), id);
    }
}

#[test]
fn known_valid_and_invalid_examples() {
    // Computed independently (Python, ISO 7064 MOD 11-2): one number for each check character.
    let one_per_check = [
        "310105199001010050",
        "310105199001010181",
        "310105199001010042",
        "310105199001010093",
        "310105199001010034",
        "310105199001010085",
        "310105199001010026",
        "310105199001010077",
        "310105199001010018",
        "310105199001010069",
        "31010519900101000X",
    ];
    for ok in ["11010519491231002X", "440524188001010014"]
        .iter()
        .chain(&one_per_check)
    {
        assert!(ResidentId::parse(ok).is_ok(), "{ok}");
        assert_eq!(resident_id_check_digit(&ok[..17]), ok.chars().last());
    }
    let bad = [
        ("11010519491231002", ResidentIdError::Length(17)),
        ("110105194912310029", ResidentIdError::CheckDigit),
        ("11010519491331002X", ResidentIdError::BirthDate("19491331".into())),
        ("00010519491231002X", ResidentIdError::Region("000105".into())),
        ("1101051949123100X2", ResidentIdError::Charset),
    ];
    for (s, e) in bad {
        assert_eq!(ResidentId::parse(s), Err(e), "{s}");
    }
    // The GB 32100 sample and published codes of well-known companies.
    for ok in ["91350100M000100Y43", "9144030071526726XG", "91330100716105852F"] {
        assert!(Uscc::parse(ok).is_ok(), "{ok}");
    }
    assert_eq!(Uscc::parse("9144030071526726XH"), Err(UsccError::CheckDigit));
    assert_eq!(Uscc::parse("91440300715267260G").unwrap_err(), UsccError::OrgCode);
    assert_eq!(Uscc::parse("Z1350100M000100Y43"), Err(UsccError::Charset('Z')));
    assert_eq!(
        UsccError::OrgCode.to_string(),
        "统一社会信用代码中的组织机构代码（第9至17位）校验位错误"
    );
    // Individual businesses are recognised.
    let body = "92310105MA1FL000";
    let org = org_code_check_char(&body[8..]).unwrap();
    let body17 = format!("{body}{org}");
    let code = format!("{body17}{}", uscc_check_char(&body17).unwrap());
    let u = Uscc::parse(&code).unwrap();
    assert!(u.is_individual_business());
    assert_eq!(u.category(), "个体工商户");
}
