//! Streets, org units and compounds.

use crate::{Conn, Result, Row, StoreError, params};
use jiff::Timestamp;
use jingzhi_domain::org::{Compound, DepartmentKind, OrgKind, OrgUnit, Street, StreetCode, StreetKind};

fn street_code(s: Option<String>) -> Option<StreetCode> {
    s.and_then(|s| StreetCode::parse(&s).ok())
}

pub fn upsert_street(c: &mut dyn Conn, s: &Street) -> Result<()> {
    c.execute(
        "INSERT INTO street (code, name, kind, district_code) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, district_code = excluded.district_code",
        params![s.code.as_str(), &s.name, s.kind.code(), &s.district_code],
    )?;
    Ok(())
}

fn street_from(r: &Row) -> Street {
    Street {
        code: StreetCode::parse(&r.text(0)).expect("stored street code"),
        name: r.text(1),
        kind: StreetKind::from_code(&r.text(2)).unwrap_or(StreetKind::Subdistrict),
        district_code: r.text(3),
    }
}

pub fn list_streets(c: &mut dyn Conn) -> Result<Vec<Street>> {
    Ok(c.query(
        "SELECT code, name, kind, district_code FROM street WHERE active ORDER BY code",
        &[],
    )?
    .iter()
    .map(street_from)
    .collect())
}

pub fn get_street(c: &mut dyn Conn, code: &str) -> Result<Street> {
    Ok(street_from(&c.query_one(
        "SELECT code, name, kind, district_code FROM street WHERE code = $1",
        params![code],
    )?))
}

const ORG_COLS: &str = "id, parent_id, kind, code, name, street_code, department_kind, phone, address, active";

fn org_from(r: &Row) -> OrgUnit {
    OrgUnit {
        id: r.i64(0),
        parent_id: r.opt_i64(1),
        kind: OrgKind::from_code(&r.text(2)).unwrap_or(OrgKind::Department),
        code: r.text(3),
        name: r.text(4),
        street_code: street_code(r.opt_text(5)),
        department_kind: r.opt_text(6).and_then(|s| DepartmentKind::from_code(&s)),
        phone: r.opt_text(7),
        address: r.opt_text(8),
        active: r.bool(9),
    }
}

/// Fields of a new or edited org unit.
#[derive(Debug, Clone)]
pub struct OrgFields {
    pub parent_id: Option<i64>,
    pub kind: OrgKind,
    pub code: String,
    pub name: String,
    pub street_code: Option<StreetCode>,
    pub department_kind: Option<DepartmentKind>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

pub fn insert_org(c: &mut dyn Conn, f: &OrgFields, now: Timestamp) -> Result<i64> {
    c.insert_id(
        "INSERT INTO org_unit (parent_id, kind, code, name, street_code, department_kind, phone, address, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        params![
            f.parent_id,
            f.kind.code(),
            &f.code,
            &f.name,
            f.street_code.as_ref().map(|s| s.as_str()),
            f.department_kind.map(|d| d.code()),
            &f.phone,
            &f.address,
            now
        ],
    )
}

pub fn update_org(c: &mut dyn Conn, id: i64, f: &OrgFields, active: bool, now: Timestamp) -> Result<()> {
    let n = c.execute(
        "UPDATE org_unit SET parent_id = $2, kind = $3, code = $4, name = $5, street_code = $6, department_kind = $7, \
         phone = $8, address = $9, active = $10, updated_at = $11 WHERE id = $1",
        params![
            id,
            f.parent_id,
            f.kind.code(),
            &f.code,
            &f.name,
            f.street_code.as_ref().map(|s| s.as_str()),
            f.department_kind.map(|d| d.code()),
            &f.phone,
            &f.address,
            active,
            now
        ],
    )?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub fn get_org(c: &mut dyn Conn, id: i64) -> Result<OrgUnit> {
    Ok(org_from(&c.query_one(
        &format!("SELECT {ORG_COLS} FROM org_unit WHERE id = $1"),
        params![id],
    )?))
}

pub fn find_org_by_code(c: &mut dyn Conn, code: &str) -> Result<Option<OrgUnit>> {
    Ok(c.query_opt(
        &format!("SELECT {ORG_COLS} FROM org_unit WHERE code = $1"),
        params![code],
    )?
    .as_ref()
    .map(org_from))
}

/// All org units, tree order (parents before children, then by code).
pub fn list_orgs(c: &mut dyn Conn) -> Result<Vec<OrgUnit>> {
    Ok(c.query(&format!("SELECT {ORG_COLS} FROM org_unit ORDER BY code"), &[])?
        .iter()
        .map(org_from)
        .collect())
}

const COMPOUND_COLS: &str =
    "id, code, name, address, street_code, community_id, property_company_id, lng, lat, households, active";

fn compound_from(r: &Row) -> Compound {
    Compound {
        id: r.i64(0),
        code: r.text(1),
        name: r.text(2),
        address: r.text(3),
        street_code: StreetCode::parse(&r.text(4)).expect("stored street code"),
        community_id: r.opt_i64(5),
        property_company_id: r.opt_i64(6),
        lng: r.f64(7),
        lat: r.f64(8),
        households: r.opt_i64(9),
        active: r.bool(10),
    }
}

#[derive(Debug, Clone)]
pub struct CompoundFields {
    pub code: String,
    pub name: String,
    pub address: String,
    pub street_code: StreetCode,
    pub community_id: Option<i64>,
    pub property_company_id: Option<i64>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub households: Option<i64>,
}

pub fn insert_compound(c: &mut dyn Conn, f: &CompoundFields, now: Timestamp) -> Result<i64> {
    c.insert_id(
        "INSERT INTO compound (code, name, address, street_code, community_id, property_company_id, lng, lat, households, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        params![
            &f.code,
            &f.name,
            &f.address,
            f.street_code.as_str(),
            f.community_id,
            f.property_company_id,
            f.lng,
            f.lat,
            f.households,
            now
        ],
    )
}

pub fn update_compound(c: &mut dyn Conn, id: i64, f: &CompoundFields, active: bool, now: Timestamp) -> Result<()> {
    let n = c.execute(
        "UPDATE compound SET code = $2, name = $3, address = $4, street_code = $5, community_id = $6, \
         property_company_id = $7, lng = $8, lat = $9, households = $10, active = $11, updated_at = $12 WHERE id = $1",
        params![
            id,
            &f.code,
            &f.name,
            &f.address,
            f.street_code.as_str(),
            f.community_id,
            f.property_company_id,
            f.lng,
            f.lat,
            f.households,
            active,
            now
        ],
    )?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub fn get_compound(c: &mut dyn Conn, id: i64) -> Result<Compound> {
    Ok(compound_from(&c.query_one(
        &format!("SELECT {COMPOUND_COLS} FROM compound WHERE id = $1"),
        params![id],
    )?))
}

pub fn find_compound_by_code(c: &mut dyn Conn, code: &str) -> Result<Option<Compound>> {
    Ok(c.query_opt(
        &format!("SELECT {COMPOUND_COLS} FROM compound WHERE code = $1"),
        params![code],
    )?
    .as_ref()
    .map(compound_from))
}

/// Compounds, optionally of one street or one property company.
pub fn list_compounds(c: &mut dyn Conn, street: Option<&str>, company: Option<i64>) -> Result<Vec<Compound>> {
    Ok(c.query(
        &format!(
            "SELECT {COMPOUND_COLS} FROM compound WHERE (CAST($1 AS TEXT) IS NULL OR street_code = $1) \
             AND (CAST($2 AS BIGINT) IS NULL OR property_company_id = $2) ORDER BY street_code, code"
        ),
        params![street, company],
    )?
    .iter()
    .map(compound_from)
    .collect())
}
