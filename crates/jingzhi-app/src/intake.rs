//! The reference data of clue intake, as data officials maintain: the matter catalogue
//! (`matter` table, defaults from data/matters.toml), the classifier (trained on the shipped corpus
//! plus the dispatchers' corrections), the boundaries and address rules of jurisdiction. Cached
//! per server like the clocks, reloaded when any server changes them.

use crate::App;
use crate::actor::Actor;
use crate::audit::{NONE, record};
use crate::error::{AppError, AppResult, ErrorCode};
use jiff::Timestamp;
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::classify::{Classifier, Labelled, parse_corpus_tsv};
use jingzhi_domain::dedup::DedupConfig;
use jingzhi_domain::geo::{
    AddressRules, BoundaryLevel, CompoundRule, Jurisdiction, RoadRule, StreetName, parse_boundaries,
};
use jingzhi_domain::matter::{Catalogue, DEFAULT_MATTERS_TOML};
use jingzhi_domain::org::Street;
use jingzhi_store::Conn;
use jingzhi_store::repo::{clues as repo, places, settings};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

const VERSION_KEY: &str = "intake_data_version";
const DEDUP_KEY: &str = "dedup_config";
const AUTO_DISPATCH_KEY: &str = "auto_dispatch_min_confidence";
const RECHECK: Duration = Duration::from_secs(30);
const DEFAULT_TRAIN: &str = include_str!("../../../data/corpus/classify.tsv");
/// The demo boundaries (approximate), loaded into an empty database.
pub const DEMO_BOUNDARIES: &str = include_str!("../../../data/boundaries/changning-approx.geojson");

/// The loaded reference data.
pub struct IntakeData {
    pub catalogue: Catalogue,
    pub classifier: Classifier,
    pub jurisdiction: Jurisdiction,
    pub dedup: DedupConfig,
    /// Confidence from which a located, in-remit clue is dispatched without a person (None: off).
    pub auto_dispatch_min_confidence: Option<f64>,
    /// Matter definitions (TOML), by code, for the admin page.
    pub definitions: Vec<(String, String)>,
    /// The active streets and towns in code order ([`App::list_streets`]: every list page names
    /// them; they change only with the places data, which moves `version`).
    pub streets: Vec<Street>,
    pub version: String,
}

#[derive(Default)]
pub struct IntakeCache {
    loading: Mutex<()>,
    data: RwLock<Option<Arc<IntakeData>>>,
    checked: Mutex<Option<Instant>>,
}

fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::with_message(ErrorCode::Internal, format!("{what}：{e}"))
}

pub(crate) fn bump_version(c: &mut dyn Conn, now: Timestamp) -> AppResult<()> {
    settings::set(c, VERSION_KEY, &crate::secrets::random_hex(8), now)?;
    Ok(())
}

/// Splits a catalogue file into one `[[matter]]` fragment per matter and the rest (out-of-remit
/// topics and any other tables).
pub fn split_catalogue(text: &str) -> AppResult<(Vec<(String, String)>, String)> {
    let doc: toml::Table = toml::from_str(text)
        .map_err(|e| AppError::with_message(ErrorCode::ImportRejected, format!("事项目录格式错误：{}", e.message())))?;
    let mut matters = Vec::new();
    let mut rest = toml::Table::new();
    for (k, v) in doc {
        if k == "matter" {
            for m in v.as_array().cloned().unwrap_or_default() {
                let code = m.get("code").and_then(|c| c.as_str()).unwrap_or_default().to_string();
                let mut one = toml::Table::new();
                one.insert("matter".into(), toml::Value::Array(vec![m]));
                matters.push((code, toml::to_string(&one).map_err(|e| internal("事项目录", e))?));
            }
        } else {
            rest.insert(k, v);
        }
    }
    Ok((matters, toml::to_string(&rest).map_err(|e| internal("事项目录", e))?))
}

/// Builds the catalogue from matter fragments and the rest.
pub fn join_catalogue(matters: &[(String, String)], rest: &str) -> Result<Catalogue, String> {
    let mut text = String::new();
    for (_, d) in matters {
        text.push_str(d);
        text.push('\n');
    }
    text.push_str(rest);
    Catalogue::from_toml(&text).map_err(|e| e.to_string())
}

fn load(c: &mut dyn Conn) -> AppResult<IntakeData> {
    let definitions: Vec<(String, String)> = repo::matters(c)?.into_iter().map(|m| (m.code, m.definition)).collect();
    let rest = repo::catalogue_extra(c)?.unwrap_or_default();
    let catalogue = join_catalogue(&definitions, &rest).map_err(|e| internal("数据库中的事项目录有误", e))?;
    let mut labelled: Vec<Labelled> = parse_corpus_tsv(DEFAULT_TRAIN).map_err(|e| internal("分类语料有误", e))?;
    labelled.extend(repo::labels(c)?.into_iter().map(|(code, text, _)| (code, text)));
    let classifier = Classifier::train(&catalogue, &labelled);
    // Jurisdiction: imported boundaries, then roads and compounds from the places data.
    let rows = repo::boundaries(c)?;
    let collection = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
        rows.iter().map(|b| b.geometry.as_str()).collect::<Vec<_>>().join(",")
    );
    let boundaries = parse_boundaries(&collection, None).map_err(|e| internal("数据库中的边界数据有误", e))?;
    let streets = places::list_streets(c)?;
    let rules = AddressRules {
        streets: streets
            .iter()
            .map(|s| StreetName {
                code: s.code.to_string(),
                name: s.name.clone(),
            })
            .collect(),
        roads: repo::roads(c)?
            .into_iter()
            .map(|r| RoadRule {
                name: r.name,
                street_code: r.street_code,
                ambiguous: r.ambiguous,
                also: r
                    .also
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
            .collect(),
        compounds: places::list_compounds(c, None, None)?
            .into_iter()
            .filter(|cp| cp.active)
            .map(|cp| CompoundRule {
                code: cp.code,
                name: cp.name,
                address: cp.address,
                street_code: cp.street_code.to_string(),
                community_code: None,
                lng: cp.lng,
                lat: cp.lat,
            })
            .collect(),
    };
    let jurisdiction = Jurisdiction::new(boundaries, rules);
    let dedup = match settings::get(c, DEDUP_KEY)? {
        Some(t) => serde_json::from_str(&t).map_err(|e| internal("查重设置有误", e))?,
        None => DedupConfig::default(),
    };
    let auto_dispatch_min_confidence = match settings::get(c, AUTO_DISPATCH_KEY)? {
        Some(t) if t.trim() == "off" => None,
        Some(t) => Some(t.trim().parse::<f64>().map_err(|e| internal("自动派单设置有误", e))?),
        None => Some(0.85),
    };
    let version = settings::get(c, VERSION_KEY)?.unwrap_or_default();
    Ok(IntakeData {
        catalogue,
        classifier,
        jurisdiction,
        dedup,
        auto_dispatch_min_confidence,
        definitions,
        streets,
        version,
    })
}

impl App {
    /// The intake reference data, from the cache (re-read when another server changed it).
    pub fn intake_data(&self) -> AppResult<Arc<IntakeData>> {
        let cached = self.intake.data.read().unwrap_or_else(|p| p.into_inner()).clone();
        let fresh = self
            .intake
            .checked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|t| t.elapsed() < RECHECK);
        if let Some(d) = &cached
            && fresh
        {
            return Ok(d.clone());
        }
        // One check (and load) at a time: under load, every request arriving at once would
        // otherwise build its own copy.
        let _loading = self.intake.loading.lock().unwrap_or_else(|p| p.into_inner());
        let cached = self.intake.data.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(d) = &cached
            && self
                .intake
                .checked
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_some_and(|t| t.elapsed() < RECHECK)
        {
            return Ok(d.clone());
        }
        let version = self.store.read(|c| settings::get(c, VERSION_KEY))?.unwrap_or_default();
        let data = match cached {
            Some(d) if d.version == version && !version.is_empty() => d,
            _ => {
                let d = Arc::new(self.store.read(load)?);
                *self.intake.data.write().unwrap_or_else(|p| p.into_inner()) = Some(d.clone());
                d
            }
        };
        *self.intake.checked.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        Ok(data)
    }

    pub(crate) fn invalidate_intake_data(&self) {
        *self.intake.data.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Fills an empty database with the shipped matter catalogue. Safe on every start.
    pub fn ensure_intake_defaults(&self) -> AppResult<bool> {
        let now = self.now();
        let actor = crate::clocks::system_actor();
        let added = self.store.write(|c| {
            if !repo::matters(c)?.is_empty() {
                return Ok::<_, AppError>(false);
            }
            let (matters, rest) = split_catalogue(DEFAULT_MATTERS_TOML)?;
            for (i, (code, def)) in matters.iter().enumerate() {
                repo::upsert_matter(
                    c,
                    &repo::DefinitionRow {
                        code: code.clone(),
                        position: i as i64,
                        definition: def.clone(),
                    },
                    now,
                )?;
            }
            repo::set_catalogue_extra(c, &rest, now)?;
            record(
                c,
                &actor,
                now,
                "matter.default",
                "matter",
                "*",
                NONE,
                Some(&serde_json::json!({"source": "data/matters.toml", "count": matters.len()})),
            )?;
            bump_version(c, now)?;
            Ok(true)
        })?;
        if added {
            self.invalidate_intake_data();
        }
        Ok(added)
    }

    /// Imports street/town (or grid) boundaries from GeoJSON, replacing those of the same level.
    /// All or nothing; every feature needs `code` and `name` properties.
    pub fn import_boundaries(
        &self,
        actor: &Actor,
        geojson: &str,
        level: BoundaryLevel,
        dry_run: bool,
    ) -> AppResult<usize> {
        actor.require(Resource::Boundary, Action::Import)?;
        let parsed = parse_boundaries(geojson, Some(level)).map_err(|e| {
            let mut err = AppError::with_message(ErrorCode::ImportRejected, format!("边界文件有错误，未导入：\n{e}"));
            err.fields = e
                .messages
                .iter()
                .map(|m| crate::FieldError {
                    field: "file".into(),
                    message: m.clone(),
                })
                .collect();
            err
        })?;
        let features: Vec<serde_json::Value> = serde_json::from_str::<serde_json::Value>(geojson)
            .ok()
            .and_then(|v| v.get("features").and_then(|f| f.as_array()).cloned())
            .unwrap_or_default();
        if dry_run {
            return Ok(parsed.len());
        }
        let now = self.now();
        let rows: Vec<repo::BoundaryRow> = parsed
            .iter()
            .zip(features.iter())
            .map(|(b, f)| repo::BoundaryRow {
                code: b.code.clone(),
                kind: level.code().into(),
                name: b.name.clone(),
                geometry: f.to_string(),
                approximate: b.approximate,
            })
            .collect();
        self.store.write(|c| {
            repo::replace_boundaries(c, level.code(), &rows, now)?;
            let names: Vec<String> = rows.iter().map(|r| format!("{} {}", r.code, r.name)).collect();
            record(
                c,
                actor,
                now,
                "boundary.import",
                "boundary",
                level.code(),
                NONE,
                Some(&names),
            )?;
            bump_version(c, now)
        })?;
        self.invalidate_intake_data();
        Ok(rows.len())
    }

    /// The imported boundaries: (level, code, name, approximate).
    pub fn list_boundaries(&self, actor: &Actor) -> AppResult<Vec<(String, String, String, bool)>> {
        actor.require(Resource::Boundary, Action::View)?;
        Ok(self
            .store
            .read(repo::boundaries)?
            .into_iter()
            .map(|b| (b.kind, b.code, b.name, b.approximate))
            .collect())
    }

    /// The matter catalogue (any signed-in role).
    pub fn catalogue(&self, actor: &Actor) -> AppResult<Arc<IntakeData>> {
        actor.require(Resource::Matter, Action::View)?;
        self.intake_data()
    }

    /// Replaces one matter's definition (TOML), validated with the whole catalogue.
    pub fn update_matter(&self, actor: &Actor, code: &str, definition: &str) -> AppResult<()> {
        actor.require(Resource::Matter, Action::Update)?;
        let data = self.intake_data()?;
        let pos = data
            .definitions
            .iter()
            .position(|(c, _)| c == code)
            .ok_or_else(|| AppError::with_message(ErrorCode::NotFound, format!("未知的执法事项：{code}")))?;
        let mut defs = data.definitions.clone();
        let before = defs[pos].1.clone();
        defs[pos].1 = definition.trim().to_string() + "\n";
        let rest = self.store.read(repo::catalogue_extra)?.unwrap_or_default();
        let doc: toml::Table = toml::from_str(&defs[pos].1)
            .map_err(|e| AppError::field("definition", format!("格式错误：{}", e.message())))?;
        let n = doc
            .get("matter")
            .and_then(|m| m.as_array())
            .map(|a| a.len())
            .unwrap_or(0);
        if n != 1 || doc.len() != 1 {
            return Err(AppError::field("definition", "须是且只能是一个 [[matter]] 表"));
        }
        let cat = join_catalogue(&defs, &rest).map_err(|e| AppError::field("definition", e))?;
        if cat.get(code).is_none() {
            return Err(AppError::field("definition", format!("事项代码须保持为 {code}")));
        }
        let now = self.now();
        self.store.write(|c| {
            repo::upsert_matter(
                c,
                &repo::DefinitionRow {
                    code: code.into(),
                    position: pos as i64,
                    definition: defs[pos].1.clone(),
                },
                now,
            )?;
            record(
                c,
                actor,
                now,
                "matter.update",
                "matter",
                code,
                Some(&before),
                Some(&defs[pos].1),
            )?;
            bump_version(c, now)
        })?;
        self.invalidate_intake_data();
        Ok(())
    }
}

/// Road rules from a places file's `[[road]]` tables, stored for jurisdiction (called by the places
/// import in the same transaction).
pub(crate) fn store_roads(c: &mut dyn Conn, roads: &[toml::Value], now: Timestamp) -> AppResult<usize> {
    let mut n = 0;
    for r in roads {
        let name = r
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .trim()
            .to_string();
        let street = r
            .get("street_code")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        if name.is_empty() || street.is_empty() {
            continue;
        }
        let also: Vec<String> = r
            .get("also")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let ambiguous = r.get("ambiguous").and_then(|v| v.as_bool()).unwrap_or(false);
        repo::upsert_road(
            c,
            &repo::RoadRow {
                name,
                street_code: street,
                ambiguous,
                also: also.join(","),
            },
            now,
        )?;
        n += 1;
    }
    if n > 0 {
        bump_version(c, now)?;
    }
    Ok(n)
}
