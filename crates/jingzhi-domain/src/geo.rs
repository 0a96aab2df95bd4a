//! 地理与管辖 (geography and jurisdiction): WGS84 points, GCJ-02 → WGS84 conversion, distances,
//! GeoJSON boundaries, point-in-polygon, address rules, and the jurisdiction decision for a clue.
//!
//! Jurisdiction is resolved in order (product-map §2):
//! 1. **point-in-polygon** on the street/town boundaries (and grid boundaries if imported);
//! 2. **address rules**: a compound's name or address (`[[compound]]` → street), then a road name
//!    (`[[road]]`, longest match; a road that runs through several streets is flagged for review);
//! 3. the **district dispatch desk** (兜底) when neither applies.
//!
//! The result ([`Located`]) carries the method and a Chinese sentence saying why, for the clue page.
//!
//! Coordinates are stored in WGS84. Chinese map apps (高德, 腾讯, 百度's base layer) give GCJ-02,
//! the obfuscated datum every public map of China uses; [`Gcj02::to_wgs84`] inverts the public
//! forward formula by fixed-point iteration to well under a centimetre.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// Mean Earth radius (IUGG), metres, for haversine distances.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A WGS84 point (longitude, latitude in degrees) — the datum Jingzhi stores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Wgs84 {
    pub lng: f64,
    pub lat: f64,
}

/// A GCJ-02 point (as given by Chinese map apps), longitude and latitude in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Gcj02 {
    pub lng: f64,
    pub lat: f64,
}

impl Wgs84 {
    pub fn new(lng: f64, lat: f64) -> Wgs84 {
        Wgs84 { lng, lat }
    }

    /// Finite, longitude in [-180, 180], latitude in [-90, 90].
    pub fn is_valid(self) -> bool {
        self.lng.is_finite()
            && self.lat.is_finite()
            && (-180.0..=180.0).contains(&self.lng)
            && (-90.0..=90.0).contains(&self.lat)
    }

    /// Great-circle distance in metres (haversine).
    pub fn distance_m(self, other: Wgs84) -> f64 {
        haversine_m(self, other)
    }

    /// The GCJ-02 point a Chinese map app would show for this place (identity outside China).
    pub fn to_gcj02(self) -> Gcj02 {
        if out_of_china(self.lng, self.lat) {
            return Gcj02 {
                lng: self.lng,
                lat: self.lat,
            };
        }
        let (dlng, dlat) = gcj_offset(self.lng, self.lat);
        Gcj02 {
            lng: self.lng + dlng,
            lat: self.lat + dlat,
        }
    }
}

impl Gcj02 {
    pub fn new(lng: f64, lat: f64) -> Gcj02 {
        Gcj02 { lng, lat }
    }

    /// The WGS84 point whose GCJ-02 image is this point: the forward offset is inverted by
    /// fixed-point iteration (`w ← w − (gcj(w) − g)`), which converges to < 1e-9° (≈ 0.1 mm) in a
    /// few steps because the offset varies slowly. Identity outside China.
    pub fn to_wgs84(self) -> Wgs84 {
        if out_of_china(self.lng, self.lat) {
            return Wgs84::new(self.lng, self.lat);
        }
        let mut w = Wgs84::new(self.lng, self.lat);
        for _ in 0..30 {
            let g = w.to_gcj02();
            let (dx, dy) = (g.lng - self.lng, g.lat - self.lat);
            w.lng -= dx;
            w.lat -= dy;
            if dx.abs() < 1e-10 && dy.abs() < 1e-10 {
                break;
            }
        }
        w
    }
}

/// Great-circle distance in metres between two WGS84 points (haversine, mean Earth radius).
pub fn haversine_m(a: Wgs84, b: Wgs84) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lng - a.lng).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// The rectangle outside which GCJ-02 applies no offset (the public implementations' bounds).
pub fn out_of_china(lng: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lng) || !(0.8293..=55.8271).contains(&lat)
}

/// The public GCJ-02 forward offset (Krasovsky 1940 ellipsoid), in degrees (Δlng, Δlat).
fn gcj_offset(lng: f64, lat: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    const A: f64 = 6_378_245.0;
    const EE: f64 = 0.006_693_421_622_965_943;
    let (x, y) = (lng - 105.0, lat - 35.0);
    let common = 20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin();
    let mut dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    dlat += (common + 20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlat += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y / 30.0 * PI).sin()) * 2.0 / 3.0;
    let mut dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    dlng += (common + 20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlng += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    let rad = lat.to_radians();
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = dlat * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let dlng = dlng * 180.0 / (A / sqrt_magic * rad.cos() * PI);
    (dlng, dlat)
}

// ── Polygons ──────────────────────────────────────────────────────────────────────────────────

/// A polygon: an exterior ring and holes, each a closed ring of WGS84 points (first = last).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Polygon {
    pub exterior: Vec<Wgs84>,
    pub holes: Vec<Vec<Wgs84>>,
}

/// Ray casting (even–odd rule) against one ring.
fn in_ring(p: Wgs84, ring: &[Wgs84]) -> bool {
    let mut inside = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a.lat > p.lat) != (b.lat > p.lat) {
            let x = (b.lng - a.lng) * (p.lat - a.lat) / (b.lat - a.lat) + a.lng;
            if p.lng < x {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

impl Polygon {
    /// Inside the exterior ring and in none of the holes.
    pub fn contains(&self, p: Wgs84) -> bool {
        in_ring(p, &self.exterior) && !self.holes.iter().any(|h| in_ring(p, h))
    }
}

/// One or more polygons, with a bounding box for a quick reject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    pub polygons: Vec<Polygon>,
    /// (min lng, min lat, max lng, max lat).
    pub bbox: (f64, f64, f64, f64),
}

impl Area {
    pub fn new(polygons: Vec<Polygon>) -> Area {
        let mut bbox = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for p in polygons.iter().flat_map(|p| &p.exterior) {
            bbox.0 = bbox.0.min(p.lng);
            bbox.1 = bbox.1.min(p.lat);
            bbox.2 = bbox.2.max(p.lng);
            bbox.3 = bbox.3.max(p.lat);
        }
        Area { polygons, bbox }
    }

    pub fn contains(&self, p: Wgs84) -> bool {
        p.lng >= self.bbox.0
            && p.lat >= self.bbox.1
            && p.lng <= self.bbox.2
            && p.lat <= self.bbox.3
            && self.polygons.iter().any(|poly| poly.contains(p))
    }
}

// ── GeoJSON ───────────────────────────────────────────────────────────────────────────────────

/// Errors of geographic data (GeoJSON, address rules), each a Chinese sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoError {
    pub messages: Vec<String>,
}

impl GeoError {
    fn one(msg: String) -> GeoError {
        GeoError { messages: vec![msg] }
    }
}

impl fmt::Display for GeoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.messages.join("\n"))
    }
}

impl std::error::Error for GeoError {}

/// A GeoJSON feature with an areal geometry (Polygon or MultiPolygon) and its properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub properties: Map<String, Value>,
    pub area: Area,
}

/// Parses GeoJSON text: a FeatureCollection, a single Feature, or a bare Polygon/MultiPolygon
/// (which gets empty properties). Only Polygon and MultiPolygon geometries are accepted; rings are
/// closed if the file left them open; coordinates must be finite WGS84 degrees.
pub fn parse_geojson(text: &str) -> Result<Vec<Feature>, GeoError> {
    let v: Value = serde_json::from_str(text).map_err(|e| GeoError::one(format!("GeoJSON格式错误：{e}")))?;
    let mut errors = Vec::new();
    let mut out = Vec::new();
    match v.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {
            let Some(features) = v.get("features").and_then(Value::as_array) else {
                return Err(GeoError::one("FeatureCollection缺少features数组".into()));
            };
            for (i, f) in features.iter().enumerate() {
                let at = feature_name(i, f);
                if let Some(feat) = parse_feature(f, &at, &mut errors) {
                    out.push(feat);
                }
            }
        }
        Some("Feature") => {
            if let Some(feat) = parse_feature(&v, "要素", &mut errors) {
                out.push(feat);
            }
        }
        Some("Polygon") | Some("MultiPolygon") => {
            if let Some(area) = parse_geometry(&v, "几何", &mut errors) {
                out.push(Feature {
                    properties: Map::new(),
                    area,
                });
            }
        }
        other => errors.push(format!(
            "GeoJSON顶层类型应为FeatureCollection、Feature、Polygon或MultiPolygon，实为{}",
            other.unwrap_or("（缺失）")
        )),
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(GeoError { messages: errors })
    }
}

fn feature_name(i: usize, f: &Value) -> String {
    let props = f.get("properties");
    let get = |k: &str| props.and_then(|p| p.get(k)).and_then(Value::as_str);
    match (get("code"), get("name")) {
        (Some(c), Some(n)) => format!("第{}个要素（{c} {n}）", i + 1),
        (Some(c), None) => format!("第{}个要素（{c}）", i + 1),
        (None, Some(n)) => format!("第{}个要素（{n}）", i + 1),
        _ => format!("第{}个要素", i + 1),
    }
}

fn parse_feature(f: &Value, at: &str, errors: &mut Vec<String>) -> Option<Feature> {
    if f.get("type").and_then(Value::as_str) != Some("Feature") {
        errors.push(format!("{at}：type应为Feature"));
        return None;
    }
    let properties = match f.get("properties") {
        Some(Value::Object(m)) => m.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => {
            errors.push(format!("{at}：properties应为对象"));
            return None;
        }
    };
    let Some(geometry) = f.get("geometry").filter(|g| !g.is_null()) else {
        errors.push(format!("{at}：缺少geometry"));
        return None;
    };
    let area = parse_geometry(geometry, at, errors)?;
    Some(Feature { properties, area })
}

fn parse_geometry(g: &Value, at: &str, errors: &mut Vec<String>) -> Option<Area> {
    let coords = g.get("coordinates");
    let polys: Vec<&Value> = match (g.get("type").and_then(Value::as_str), coords) {
        (Some("Polygon"), Some(c)) => vec![c],
        (Some("MultiPolygon"), Some(Value::Array(list))) => list.iter().collect(),
        (Some(t @ ("Polygon" | "MultiPolygon")), _) => {
            errors.push(format!("{at}：{t}缺少coordinates数组"));
            return None;
        }
        (t, _) => {
            errors.push(format!(
                "{at}：不支持的几何类型{}（只接受Polygon和MultiPolygon）",
                t.unwrap_or("（缺失）")
            ));
            return None;
        }
    };
    let mut polygons = Vec::new();
    for (pi, pv) in polys.into_iter().enumerate() {
        let Some(rings) = pv.as_array().filter(|r| !r.is_empty()) else {
            errors.push(format!("{at}：第{}个多边形没有环", pi + 1));
            return None;
        };
        let mut parsed = Vec::new();
        for (ri, rv) in rings.iter().enumerate() {
            let ring_at = format!("{at}第{}个多边形第{}个环", pi + 1, ri + 1);
            parsed.push(parse_ring(rv, &ring_at, errors)?);
        }
        let exterior = parsed.remove(0);
        polygons.push(Polygon {
            exterior,
            holes: parsed,
        });
    }
    if polygons.is_empty() {
        errors.push(format!("{at}：几何为空"));
        return None;
    }
    Some(Area::new(polygons))
}

fn parse_ring(rv: &Value, at: &str, errors: &mut Vec<String>) -> Option<Vec<Wgs84>> {
    let Some(points) = rv.as_array() else {
        errors.push(format!("{at}：应为坐标数组"));
        return None;
    };
    let mut ring = Vec::with_capacity(points.len() + 1);
    for (i, p) in points.iter().enumerate() {
        let xy = p
            .as_array()
            .and_then(|a| Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?)));
        let Some((lng, lat)) = xy else {
            errors.push(format!("{at}：第{}个坐标应为[经度, 纬度]", i + 1));
            return None;
        };
        let w = Wgs84::new(lng, lat);
        if !w.is_valid() {
            errors.push(format!("{at}：第{}个坐标[{lng}, {lat}]超出经纬度范围", i + 1));
            return None;
        }
        ring.push(w);
    }
    if ring.first() != ring.last() {
        ring.push(ring[0]);
    }
    if ring.len() < 4 {
        errors.push(format!("{at}：环至少需要3个不同的点"));
        return None;
    }
    Some(ring)
}

crate::coded_enum! {
    /// 边界层级 — what a boundary delimits.
    pub enum BoundaryLevel {
        /// 街道/镇.
        Street = ("street", "街镇"),
        /// 网格.
        Grid = ("grid", "网格"),
    }
}

/// A street/town or grid boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    pub level: BoundaryLevel,
    /// 9-digit street code, or the grid code.
    pub code: String,
    pub name: String,
    /// For a grid: the street it belongs to (property `street_code`, else the first 9 digits of
    /// its code).
    pub street_code: Option<String>,
    /// Hand-drawn or otherwise approximate (property `approximate`), shown in the reason.
    pub approximate: bool,
    pub area: Area,
    pub properties: Map<String, Value>,
}

/// Reads boundaries from GeoJSON. Each feature needs properties `code` and `name`; `approximate`
/// (bool) and, for grids, `street_code` are optional. The level is `level` if given, else the
/// `level` property (`street`/`grid`), else by the code: 9 digits = street, longer = grid.
pub fn parse_boundaries(text: &str, level: Option<BoundaryLevel>) -> Result<Vec<Boundary>, GeoError> {
    let features = parse_geojson(text)?;
    let mut errors = Vec::new();
    let mut out: Vec<Boundary> = Vec::new();
    for (i, f) in features.into_iter().enumerate() {
        let s = |k: &str| {
            f.properties
                .get(k)
                .and_then(Value::as_str)
                .map(|v| v.trim().to_string())
        };
        let (Some(code), Some(name)) = (s("code"), s("name")) else {
            errors.push(format!("第{}个要素：properties须有code和name", i + 1));
            continue;
        };
        let level = level
            .or_else(|| s("level").and_then(|l| BoundaryLevel::from_code(&l)))
            .unwrap_or(if code.len() == 9 {
                BoundaryLevel::Street
            } else {
                BoundaryLevel::Grid
            });
        if !code.bytes().all(|b| b.is_ascii_digit()) || code.len() < 9 {
            errors.push(format!("第{}个要素（{code} {name}）：代码应为至少9位数字", i + 1));
            continue;
        }
        if out.iter().any(|b| b.code == code) {
            errors.push(format!("第{}个要素（{code} {name}）：代码重复", i + 1));
            continue;
        }
        let street_code = match level {
            BoundaryLevel::Street => Some(code.clone()),
            BoundaryLevel::Grid => s("street_code").or_else(|| Some(code[..9].to_string())),
        };
        out.push(Boundary {
            level,
            approximate: f
                .properties
                .get("approximate")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            code,
            name,
            street_code,
            area: f.area,
            properties: f.properties,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(GeoError { messages: errors })
    }
}

/// The approximate street/town boundaries shipped for the demo (`data/boundaries/changning-approx.geojson`).
pub const DEMO_BOUNDARIES_GEOJSON: &str = include_str!("../../../data/boundaries/changning-approx.geojson");

// ── Address rules ─────────────────────────────────────────────────────────────────────────────

/// A street/town's code and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetName {
    pub code: String,
    pub name: String,
}

/// A road rule (`[[road]]`): the road's main street, and the others it runs through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoadRule {
    pub name: String,
    pub street_code: String,
    /// The road runs through or along several streets and house-number segments are unknown.
    #[serde(default)]
    pub ambiguous: bool,
    /// The other streets the road touches.
    #[serde(default)]
    pub also: Vec<String>,
}

/// A compound (`[[compound]]`): name, address (lane), street, and point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompoundRule {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub address: String,
    pub street_code: String,
    #[serde(default)]
    pub community_code: Option<String>,
    #[serde(default)]
    pub lng: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
}

impl CompoundRule {
    pub fn point(&self) -> Option<Wgs84> {
        Some(Wgs84::new(self.lng?, self.lat?)).filter(|p| p.is_valid())
    }
}

/// Streets, roads and compounds for address-based jurisdiction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AddressRules {
    pub streets: Vec<StreetName>,
    pub roads: Vec<RoadRule>,
    pub compounds: Vec<CompoundRule>,
}

#[derive(Deserialize)]
struct RawRulesFile {
    #[serde(default)]
    street: Vec<StreetName>,
    #[serde(default)]
    road: Vec<RoadRule>,
    #[serde(default)]
    compound: Vec<CompoundRule>,
}

/// The demo dataset (`data/demo/changning.toml`).
pub const DEMO_DATASET_TOML: &str = include_str!("../../../data/demo/changning.toml");

/// The result of matching address rules.
#[derive(Debug, Clone, PartialEq)]
enum RuleMatch<'a> {
    Compound {
        compound: &'a CompoundRule,
        by_address: bool,
    },
    Road {
        road: &'a RoadRule,
        others: Vec<&'a RoadRule>,
    },
}

impl AddressRules {
    /// Reads the `[[street]]`, `[[road]]` and `[[compound]]` tables of a TOML file in the form of
    /// `data/demo/changning.toml` (other tables are ignored) and checks that every street code
    /// used is listed.
    pub fn from_toml(text: &str) -> Result<AddressRules, GeoError> {
        let raw: RawRulesFile =
            toml::from_str(text).map_err(|e| GeoError::one(format!("地址规则格式错误：{}", e.message().trim())))?;
        let rules = AddressRules {
            streets: raw.street,
            roads: raw.road,
            compounds: raw.compound,
        };
        let mut errors = Vec::new();
        let known = |c: &str| rules.streets.iter().any(|s| s.code == c);
        for r in &rules.roads {
            for c in std::iter::once(&r.street_code).chain(&r.also) {
                if !known(c) {
                    errors.push(format!("道路“{}”：街镇代码{c}不在[[street]]中", r.name));
                }
            }
            if r.name.trim().chars().count() < 2 {
                errors.push(format!("道路“{}”：名称过短", r.name));
            }
        }
        for c in &rules.compounds {
            if !known(&c.street_code) {
                errors.push(format!(
                    "小区{}（{}）：街镇代码{}不在[[street]]中",
                    c.code, c.name, c.street_code
                ));
            }
            if (c.lng.is_some() || c.lat.is_some()) && c.point().is_none() {
                errors.push(format!("小区{}（{}）：坐标不完整或超出范围", c.code, c.name));
            }
        }
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(GeoError { messages: errors })
        }
    }

    /// The name of a street code ("华阳路街道"), or the code itself if unknown.
    pub fn street_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.streets
            .iter()
            .find(|s| s.code == code)
            .map_or(code, |s| s.name.as_str())
    }

    /// Best rule match in a normalised address: compound address or name (longest), else road.
    fn matches<'a>(&'a self, text: &str) -> Option<RuleMatch<'a>> {
        // Only keys all of whose characters occur in the text are searched for: with hundreds of
        // compounds and roads, setting up a substring search for each was a twentieth of an
        // intake request's time (docs/BENCHMARKS.md).
        let chars: crate::fasthash::FastSet<char> = text.chars().collect();
        let may_occur = |key: &str| key.chars().all(|c| chars.contains(&c));
        // Compound by address (华阳路112弄) or by name (华阳小区): the longest match wins.
        let mut best: Option<(usize, &CompoundRule, bool)> = None;
        for c in &self.compounds {
            for (key, by_address) in [(c.address.trim(), true), (c.name.trim(), false)] {
                let len = key.chars().count();
                if len >= 2 && may_occur(key) && contains_term(text, key) && best.as_ref().is_none_or(|b| len > b.0) {
                    best = Some((len, c, by_address));
                }
            }
        }
        if let Some((_, compound, by_address)) = best {
            return Some(RuleMatch::Compound { compound, by_address });
        }
        // Roads: every road named in the text; prefer unambiguous, then longer, then earlier.
        let mut found: Vec<(&RoadRule, usize)> = self
            .roads
            .iter()
            .filter_map(|r| {
                let name = r.name.trim();
                if name.is_empty() || !may_occur(name) {
                    return None;
                }
                text.find(name).map(|pos| (r, pos))
            })
            .collect();
        // Drop a road whose name is inside a longer matched road name (longest match).
        let names: Vec<String> = found.iter().map(|(r, _)| r.name.clone()).collect();
        found.retain(|(r, _)| !names.iter().any(|n| n != &r.name && n.contains(r.name.as_str())));
        found.sort_by(|a, b| {
            a.0.ambiguous
                .cmp(&b.0.ambiguous)
                .then(b.0.name.chars().count().cmp(&a.0.name.chars().count()))
                .then(a.1.cmp(&b.1))
        });
        let (road, _) = *found.first()?;
        let others = found[1..].iter().map(|(r, _)| *r).collect();
        Some(RuleMatch::Road { road, others })
    }

    /// A stable key of the place an address names, for duplicate detection: `compound:<code>` when
    /// it names a compound (by name or lane address), else `addr:<road><number>弄` / `…号` when it
    /// names a known road followed by a lane or house number, else `None`.
    pub fn place_key(&self, address: &str) -> Option<String> {
        let text = crate::search::normalize(address);
        if let Some(RuleMatch::Compound { compound, .. }) = self.matches(&text) {
            return Some(format!("compound:{}", compound.code));
        }
        let chars: crate::fasthash::FastSet<char> = text.chars().collect();
        for r in &self.roads {
            let name = r.name.trim();
            if name.is_empty() || !name.chars().all(|c| chars.contains(&c)) {
                continue;
            }
            for (pos, _) in text.match_indices(name) {
                let rest = &text[pos + name.len()..];
                let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
                let unit = rest[digits.len()..].chars().next();
                if !digits.is_empty() && matches!(unit, Some('弄' | '号')) {
                    return Some(format!("addr:{name}{digits}{}", unit.unwrap_or('号')));
                }
            }
        }
        None
    }
}

/// `key` occurs in `text` and is not followed by a digit when it ends in one (华阳路11 ≠ 华阳路112弄).
fn contains_term(text: &str, key: &str) -> bool {
    text.match_indices(key).any(|(pos, _)| {
        let ends_digit = key.chars().last().is_some_and(|c| c.is_ascii_digit());
        !ends_digit || !text[pos + key.len()..].starts_with(|c: char| c.is_ascii_digit())
    })
}

// ── Jurisdiction ──────────────────────────────────────────────────────────────────────────────

crate::coded_enum! {
    /// 定位方式 — how a clue's jurisdiction was decided.
    pub enum LocateMethod {
        /// 坐标落在边界内.
        Polygon = ("polygon", "边界落点"),
        /// 地址含小区名称或小区地址.
        CompoundName = ("compound_name", "小区名称"),
        /// 地址含道路名称.
        RoadRule = ("road_rule", "道路规则"),
        /// 无法定位，转区指挥中心兜底.
        Fallback = ("fallback", "兜底派单"),
        /// 派单员人工指定.
        Manual = ("manual", "人工指定"),
    }
}

/// Where a clue belongs, how that was decided and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Located {
    /// The street/town (9-digit code); `None` = the district dispatch desk (兜底).
    pub street_code: Option<String>,
    /// The grid, when grid boundaries are imported and contain the point.
    pub grid_code: Option<String>,
    /// The compound the address names, if any.
    pub compound_code: Option<String>,
    pub method: LocateMethod,
    /// One Chinese sentence: the route and why.
    pub reason: String,
    /// A dispatcher should check (road across several streets, or address and point disagree).
    pub needs_review: bool,
    /// Other streets it may belong to (when `needs_review`).
    pub candidates: Vec<String>,
}

/// The jurisdiction resolver: boundaries plus address rules.
#[derive(Debug, Clone, Default)]
pub struct Jurisdiction {
    streets: Vec<Boundary>,
    grids: Vec<Boundary>,
    rules: AddressRules,
}

impl Jurisdiction {
    /// Boundaries of any level (streets and grids are told apart by [`Boundary::level`]) and rules.
    pub fn new(boundaries: Vec<Boundary>, rules: AddressRules) -> Jurisdiction {
        let (streets, grids) = boundaries.into_iter().partition(|b| b.level == BoundaryLevel::Street);
        Jurisdiction { streets, grids, rules }
    }

    /// The demo resolver: the approximate Changning boundaries and the demo address rules.
    pub fn demo() -> Jurisdiction {
        let b =
            parse_boundaries(DEMO_BOUNDARIES_GEOJSON, Some(BoundaryLevel::Street)).expect("shipped boundaries parse");
        let r = AddressRules::from_toml(DEMO_DATASET_TOML).expect("shipped demo dataset parses");
        Jurisdiction::new(b, r)
    }

    pub fn rules(&self) -> &AddressRules {
        &self.rules
    }

    pub fn street_boundaries(&self) -> &[Boundary] {
        &self.streets
    }

    pub fn grid_boundaries(&self) -> &[Boundary] {
        &self.grids
    }

    fn street_name<'a>(&'a self, code: &'a str) -> &'a str {
        if let Some(b) = self.streets.iter().find(|b| b.code == code) {
            return &b.name;
        }
        self.rules.street_name(code)
    }

    fn names(&self, codes: &[String]) -> String {
        codes.iter().map(|c| self.street_name(c)).collect::<Vec<_>>().join("、")
    }

    /// Decides the jurisdiction of a clue from its point (WGS84, optional) and its address text
    /// (the address field, or address and description together).
    pub fn locate(&self, point: Option<Wgs84>, address: &str) -> Located {
        let text = crate::search::normalize(address);
        let rule = self.rules.matches(&text);
        let compound_code = match &rule {
            Some(RuleMatch::Compound { compound, .. }) => Some(compound.code.clone()),
            _ => None,
        };
        let mut prefix = String::new();
        if let Some(p) = point.filter(|p| p.is_valid()) {
            if let Some(street) = self.streets.iter().find(|b| b.area.contains(p)) {
                let grid = self
                    .grids
                    .iter()
                    .find(|g| g.street_code.as_deref() == Some(street.code.as_str()) && g.area.contains(p))
                    .or_else(|| self.grids.iter().find(|g| g.area.contains(p)));
                let mut reason = format!(
                    "坐标位于{}边界内{}",
                    street.name,
                    if street.approximate { "（近似边界）" } else { "" }
                );
                if let Some(g) = grid {
                    reason.push_str(&format!("，属{}", g.name));
                }
                let mut needs_review = false;
                let mut candidates = Vec::new();
                if let Some((code, what)) = self.rule_street(&rule)
                    && code != street.code
                {
                    needs_review = true;
                    reason.push_str(&format!("；但地址含“{what}”，指向{}，请核实", self.street_name(&code)));
                    candidates.push(code);
                }
                return Located {
                    street_code: Some(street.code.clone()),
                    grid_code: grid.map(|g| g.code.clone()),
                    compound_code,
                    method: LocateMethod::Polygon,
                    reason,
                    needs_review,
                    candidates,
                };
            }
            if !self.streets.is_empty() {
                prefix = "坐标不在任何街镇边界内；".to_string();
            }
        }
        match rule {
            Some(RuleMatch::Compound { compound, by_address }) => {
                let street = self.street_name(&compound.street_code);
                let reason = if by_address {
                    format!(
                        "{prefix}地址含“{}”（{}），属{street}",
                        compound.address.trim(),
                        compound.name
                    )
                } else {
                    format!("{prefix}地址含小区“{}”，属{street}", compound.name)
                };
                Located {
                    street_code: Some(compound.street_code.clone()),
                    grid_code: None,
                    compound_code,
                    method: LocateMethod::CompoundName,
                    reason,
                    needs_review: false,
                    candidates: Vec::new(),
                }
            }
            Some(RuleMatch::Road { road, others }) => {
                let street = self.street_name(&road.street_code);
                let mut reason = format!("{prefix}地址含“{}”，属{street}", road.name);
                let mut candidates: Vec<String> = Vec::new();
                if road.ambiguous {
                    candidates.extend(road.also.iter().filter(|c| **c != road.street_code).cloned());
                    if !candidates.is_empty() {
                        reason.push_str(&format!("（该路跨{}，需派单员核实）", self.names(&candidates)));
                    }
                }
                // Another unambiguous road of the address that points elsewhere (路口, 交叉口).
                let conflicting: Vec<&RoadRule> = others
                    .iter()
                    .copied()
                    .filter(|o| !o.ambiguous && o.street_code != road.street_code)
                    .collect();
                if !conflicting.is_empty() {
                    let mut codes = Vec::new();
                    for o in &conflicting {
                        if !codes.contains(&o.street_code) {
                            codes.push(o.street_code.clone());
                        }
                    }
                    let names: Vec<&str> = conflicting.iter().map(|o| o.name.as_str()).collect();
                    reason.push_str(&format!(
                        "（地址另含“{}”，属{}，需派单员核实）",
                        names.join("、"),
                        self.names(&codes)
                    ));
                    for c in codes {
                        if !candidates.contains(&c) {
                            candidates.push(c);
                        }
                    }
                }
                Located {
                    street_code: Some(road.street_code.clone()),
                    grid_code: None,
                    compound_code: None,
                    method: LocateMethod::RoadRule,
                    reason,
                    needs_review: !candidates.is_empty(),
                    candidates,
                }
            }
            None => Located {
                street_code: None,
                grid_code: None,
                compound_code: None,
                method: LocateMethod::Fallback,
                reason: format!("{prefix}无法定位，转区指挥中心兜底"),
                needs_review: true,
                candidates: Vec::new(),
            },
        }
    }

    /// The street an address rule points to, and the matched term.
    fn rule_street(&self, rule: &Option<RuleMatch<'_>>) -> Option<(String, String)> {
        match rule {
            Some(RuleMatch::Compound { compound, .. }) => Some((compound.street_code.clone(), compound.name.clone())),
            Some(RuleMatch::Road { road, .. }) if !road.ambiguous => {
                Some((road.street_code.clone(), road.name.clone()))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_with_hole() {
        let sq = |a: f64, b: f64| {
            vec![
                Wgs84::new(a, a),
                Wgs84::new(b, a),
                Wgs84::new(b, b),
                Wgs84::new(a, b),
                Wgs84::new(a, a),
            ]
        };
        let p = Polygon {
            exterior: sq(0.0, 10.0),
            holes: vec![sq(4.0, 6.0)],
        };
        assert!(p.contains(Wgs84::new(1.0, 1.0)));
        assert!(!p.contains(Wgs84::new(5.0, 5.0)));
        assert!(!p.contains(Wgs84::new(11.0, 5.0)));
    }
}
