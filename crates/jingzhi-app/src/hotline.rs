//! 12345 integration: importing work orders from xlsx/CSV (validated row by row, committed all or
//! nothing, idempotent on the work-order number) and exporting the replies in the same shape.
//!
//! Column mapping (header row, Chinese names; aliases in parentheses) — docs/clues.md:
//! 工单编号 (工单号, 编号) · 受理时间 (派单时间, 来电时间) · 诉求类型 (工单类型, 类型) · 诉求内容
//! (内容, 问题描述) · 事发地址 (地址, 诉求地址) · 联系人 (来电人, 姓名) · 联系电话 (电话) · 是否匿名
//! (匿名) · 经度 · 纬度 · 坐标系 (WGS84 or GCJ02, default GCJ02: Chinese map apps) · 事项 (执法事项).

use crate::App;
use crate::actor::Actor;
use crate::clues::{ImportedSoFar, NewClue, PlaceMode, Placed, Point, Prepared};
use crate::error::{AppError, AppResult, ErrorCode};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::clue::{Channel, Clue, WorkOrderType};
use jingzhi_domain::time::{format_ts, parse_loose_instant, short_datetime};
use serde::Serialize;
use std::collections::BTreeMap;

/// The fields of a work order and the header names that may carry them.
const COLUMNS: &[(&str, &[&str])] = &[
    ("source_ref", &["工单编号", "工单号", "编号"]),
    ("received_at", &["受理时间", "派单时间", "来电时间"]),
    ("type", &["诉求类型", "工单类型", "类型"]),
    ("description", &["诉求内容", "内容", "问题描述"]),
    ("address", &["事发地址", "地址", "诉求地址"]),
    ("reporter_name", &["联系人", "来电人", "姓名"]),
    ("reporter_phone", &["联系电话", "电话"]),
    ("anonymous", &["是否匿名", "匿名"]),
    ("lng", &["经度"]),
    ("lat", &["纬度"]),
    ("crs", &["坐标系"]),
    ("matter", &["事项", "执法事项"]),
];

/// The export's columns (the import's shape, plus the handling).
pub const EXPORT_HEADERS: &[&str] = &[
    "工单编号",
    "受理时间",
    "诉求类型",
    "诉求内容",
    "事发地址",
    "线索编号",
    "办理状态",
    "承办单位",
    "核查结论",
    "处置结果",
    "回复内容",
    "回复时间",
    "办结时间",
];

/// A row on its way to the writer: line, work-order number, and the clue prepared and placed.
type PlacedRow = (usize, String, AppResult<(Prepared, Placed)>);

/// What an import did, or (dry run) would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HotlineImport {
    pub dry_run: bool,
    pub rows: usize,
    /// New work orders (registered, or to be registered).
    pub new: usize,
    /// Work orders already imported before: left unchanged.
    pub existing: usize,
}

fn header_map(header: &[String]) -> Result<BTreeMap<&'static str, usize>, Vec<String>> {
    let mut map = BTreeMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim();
        if let Some((field, _)) = COLUMNS.iter().find(|(_, names)| names.contains(&h)) {
            map.entry(*field).or_insert(i);
        }
    }
    let missing: Vec<String> = ["source_ref", "received_at", "description"]
        .iter()
        .filter(|f| !map.contains_key(*f))
        .map(|f| {
            format!(
                "缺少必需的列：{}",
                COLUMNS.iter().find(|(x, _)| x == f).map(|(_, n)| n[0]).unwrap_or(f)
            )
        })
        .collect();
    if missing.is_empty() { Ok(map) } else { Err(missing) }
}

/// Reads an uploaded file into rows: xlsx by its zip signature, else CSV (UTF-8).
pub fn rows_of_file(bytes: &[u8]) -> AppResult<Vec<(usize, Vec<String>)>> {
    if bytes.starts_with(b"PK") {
        let rows = jingzhi_office::read_xlsx_rows(bytes)
            .map_err(|e| AppError::with_message(ErrorCode::ImportRejected, e.to_string()))?;
        Ok(rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i + 1, r))
            .filter(|(_, r)| r.iter().any(|f| !f.is_empty()))
            .collect())
    } else {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            AppError::with_message(
                ErrorCode::ImportRejected,
                "CSV 文件须为 UTF-8 编码（Excel 另存为“CSV UTF-8”）",
            )
        })?;
        Ok(jingzhi_office::read_csv_rows(text))
    }
}

impl App {
    /// Imports 12345 work orders. Every row is checked first; any bad row refuses the whole file,
    /// listing every problem (第N行…). Work orders already imported are left alone, so importing
    /// the same file again changes nothing.
    pub fn import_12345(
        &self,
        actor: &Actor,
        rows: &[(usize, Vec<String>)],
        dry_run: bool,
    ) -> AppResult<HotlineImport> {
        actor.require(Resource::Clue, Action::Import)?;
        if rows.is_empty() {
            return Err(AppError::with_message(ErrorCode::ImportRejected, "文件是空的"));
        }
        // The header is the first row that names the required columns (exports often put a
        // title above it).
        let at = rows
            .iter()
            .take(10)
            .position(|(_, r)| header_map(r).is_ok())
            .unwrap_or(0);
        let (header, body) = (&rows[at].1, &rows[at + 1..]);
        let map = header_map(header).map_err(reject)?;
        let data = self.intake_data()?;
        let now = self.now();
        let cell = |r: &Vec<String>, f: &str| -> String {
            map.get(f)
                .and_then(|i| r.get(*i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let mut errors: Vec<(usize, String)> = Vec::new();
        let mut seen = BTreeMap::new();
        let mut pending: Vec<(usize, String, NewClue)> = Vec::new();
        for (line, r) in body {
            let no = cell(r, "source_ref");
            let at = |m: String| {
                let where_ = if no.is_empty() {
                    String::new()
                } else {
                    format!("（工单{no}）")
                };
                (*line, format!("第{line}行{where_}：{m}"))
            };
            let before = errors.len();
            if no.is_empty() {
                errors.push(at("缺少工单编号".into()));
            } else if let Some(prev) = seen.insert(no.clone(), *line) {
                errors.push(at(format!("工单编号与第{prev}行重复")));
            }
            let received = match parse_loose_instant(&cell(r, "received_at")) {
                Ok(t) => Some(t),
                Err(_) if cell(r, "received_at").is_empty() => {
                    errors.push(at("缺少受理时间".into()));
                    None
                }
                Err(_) => {
                    errors.push(at(format!(
                        "受理时间“{}”无法识别（应如 2026-03-02 09:30）",
                        cell(r, "received_at")
                    )));
                    None
                }
            };
            if received.is_some_and(|t| t > now) {
                errors.push(at("受理时间晚于当前时间".into()));
            }
            let kind_text = cell(r, "type");
            let kind = if kind_text.is_empty() {
                Some(WorkOrderType::Complaint)
            } else {
                let k = WorkOrderType::from_text(&kind_text);
                if k.is_none() {
                    errors.push(at(format!(
                        "诉求类型“{kind_text}”无法识别（咨询、建议、投诉、求助、举报、督办、复杂事项）"
                    )));
                }
                k
            };
            let description = cell(r, "description");
            if description.is_empty() {
                errors.push(at("缺少诉求内容".into()));
            }
            let (lng, lat) = (cell(r, "lng"), cell(r, "lat"));
            let point = match (lng.parse::<f64>(), lat.parse::<f64>()) {
                _ if lng.is_empty() && lat.is_empty() => None,
                (Ok(x), Ok(y)) if (73.0..=136.0).contains(&x) && (3.0..=54.0).contains(&y) => {
                    Some(if cell(r, "crs").eq_ignore_ascii_case("wgs84") {
                        Point::Wgs84(x, y)
                    } else {
                        Point::Gcj02(x, y)
                    })
                }
                _ => {
                    errors.push(at(format!("经纬度“{lng},{lat}”无效")));
                    None
                }
            };
            let address = cell(r, "address");
            if address.is_empty() && point.is_none() {
                errors.push(at("缺少事发地址".into()));
            }
            let phone = cell(r, "reporter_phone");
            if !phone.is_empty() && !jingzhi_domain::clue::valid_phone(&phone) {
                errors.push(at(format!("联系电话“{phone}”格式不正确")));
            }
            let matter_text = cell(r, "matter");
            let matter = if matter_text.is_empty() {
                None
            } else {
                match data
                    .catalogue
                    .get(&matter_text)
                    .or_else(|| data.catalogue.by_name(&matter_text))
                {
                    Some(m) => Some(m.code.clone()),
                    None => {
                        errors.push(at(format!("事项“{matter_text}”不在执法事项目录中")));
                        None
                    }
                }
            };
            if errors.len() > before {
                continue;
            }
            let anonymous = matches!(cell(r, "anonymous").as_str(), "是" | "匿名" | "Y" | "y" | "1" | "true");
            let n = NewClue {
                source_ref: Some(no.clone()),
                work_order_type: kind,
                point,
                reporter_name: Some(cell(r, "reporter_name")).filter(|s| !s.is_empty()),
                reporter_phone: Some(phone).filter(|s| !s.is_empty()),
                anonymous,
                received_at: received,
                matter_code: matter,
                ..NewClue::new(Channel::Hotline12345, description, address)
            };
            pending.push((*line, no.clone(), n));
        }
        let prepare = |rows: &[(usize, String, NewClue)]| -> Vec<(usize, String, AppResult<crate::clues::Prepared>)> {
            rows.iter()
                .map(|(l, no, n)| (*l, no.clone(), self.prepare_clue(actor, n, &data, now)))
                .collect()
        };
        let failed = |errors: &mut Vec<(usize, String)>, line: usize, no: &str, e: AppError| {
            errors.push((
                line,
                format!(
                    "第{line}行（工单{no}）：{}",
                    e.fields.first().map(|f| f.message.clone()).unwrap_or(e.message)
                ),
            ))
        };
        let reject_all = |mut errors: Vec<(usize, String)>| {
            errors.sort_by_key(|(l, _)| *l);
            reject(errors.into_iter().map(|(_, m)| m).collect())
        };
        // Work orders imported before are left alone: skip them before the costly part.
        let rows_total = pending.len();
        let numbers: Vec<String> = pending.iter().map(|(_, no, _)| no.clone()).collect();
        let known = self
            .store
            .read(|c| jingzhi_store::repo::clues::existing_sources(c, Channel::Hotline12345, &numbers))?;
        pending.retain(|(_, no, _)| !known.contains(no));
        // In the order they were received: clue numbers follow it, and a later complaint links to
        // the earlier one it repeats, never the other way round.
        pending.sort_by_key(|(line, _, n)| (n.received_at, *line));
        if dry_run || !errors.is_empty() {
            // Check every row and write nothing. Classification is the costly part: use both cores.
            let (first, second) = pending.split_at(pending.len().div_ceil(2));
            let results = std::thread::scope(|sc| {
                let other = sc.spawn(|| prepare(second));
                let mut mine = prepare(first);
                mine.extend(other.join().unwrap_or_default());
                mine
            });
            for (line, no, r) in results {
                if let Err(e) = r {
                    failed(&mut errors, line, &no, e);
                }
            }
            if !errors.is_empty() {
                return Err(reject_all(errors));
            }
            return Ok(HotlineImport {
                dry_run: true,
                rows: rows_total,
                new: pending.len(),
                existing: known.len(),
            });
        }
        // Write while preparing, in three stages that overlap: one thread classifies and locates
        // the next rows, a second looks for the open clues each row may repeat (on a reader: the
        // clues committed before the import from the database, the import's own earlier rows from
        // memory), and this one stores them, in one transaction. A row that fails stops the
        // writing; the remaining rows are still checked so the refusal lists every problem, and
        // the transaction rolls back.
        let clocks = self.clock_data()?;
        let existing = self.store.write(|c| {
            std::thread::scope(|sc| {
                let (to_place, classified) = std::sync::mpsc::sync_channel(4);
                let (to_store, placed) = std::sync::mpsc::sync_channel::<AppResult<Vec<PlacedRow>>>(4);
                let pending = &pending;
                let prepare = &prepare;
                let data = &data;
                sc.spawn(move || {
                    for chunk in pending.chunks(500) {
                        if to_place.send(prepare(chunk)).is_err() {
                            return;
                        }
                    }
                });
                sc.spawn(move || {
                    let mut so_far = ImportedSoFar::new(&data.dedup);
                    let mut ordinal = 0;
                    for results in classified {
                        let chunk = self.store.read(|rc| {
                            let mut out = Vec::with_capacity(results.len());
                            for (line, no, r) in results {
                                let r = r.and_then(|p| {
                                    let placed = self.place_clue(rc, actor, &p, data, PlaceMode::Import(&so_far))?;
                                    if !placed.repeats() {
                                        so_far.add(ordinal, &p, &placed);
                                    }
                                    ordinal += 1;
                                    Ok((p, placed))
                                });
                                out.push((line, no, r));
                            }
                            Ok::<_, AppError>(out)
                        });
                        let stop = chunk.is_err();
                        if to_store.send(chunk).is_err() || stop {
                            return;
                        }
                    }
                });
                let mut existing = 0;
                // The id the writer gave each stored row, by its place in the import's order.
                let mut ids: Vec<i64> = Vec::with_capacity(pending.len());
                for chunk in placed {
                    for (line, no, r) in chunk? {
                        match r {
                            Err(e) => failed(&mut errors, line, &no, e),
                            Ok(_) if !errors.is_empty() => {}
                            Ok((p, mut placed)) => {
                                placed.resolve_provisional(&ids)?;
                                let r = self.register_placed(c, actor, &p, placed, data, &clocks, now)?;
                                ids.push(r.clue.id);
                                if !r.created {
                                    existing += 1;
                                }
                            }
                        }
                    }
                }
                if !errors.is_empty() {
                    return Err(reject_all(std::mem::take(&mut errors)));
                }
                Ok::<_, AppError>(existing)
            })
        })?;
        self.queue_counts.invalidate();
        if body.len() > 10_000 {
            // A bulk load: the PostgreSQL planner needs fresh statistics (Store::refresh_statistics).
            self.store.refresh_statistics()?;
        }
        Ok(HotlineImport {
            dry_run: false,
            rows: rows_total,
            new: pending.len() - existing,
            existing: known.len() + existing,
        })
    }

    /// 12345 work orders with their handling, for the reply file (same columns as the import plus
    /// the handling), received in [from, before).
    pub fn export_12345(
        &self,
        actor: &Actor,
        from: jiff::Timestamp,
        before: jiff::Timestamp,
    ) -> AppResult<Vec<Vec<String>>> {
        actor.require(Resource::Clue, Action::Export)?;
        let list = self.list_clues(
            actor,
            &crate::clues::ListRequest {
                channel: Some(Channel::Hotline12345),
                limit: 100_000,
                ..Default::default()
            },
        )?;
        let orgs = self.store.read(jingzhi_store::repo::places::list_orgs)?;
        let name = |id: Option<i64>| {
            id.and_then(|i| orgs.iter().find(|o| o.id == i))
                .map(|o| o.name.clone())
                .unwrap_or_default()
        };
        let mut rows: Vec<&Clue> = list
            .rows
            .iter()
            .filter(|k| k.received_at >= from && k.received_at < before)
            .collect();
        rows.sort_by_key(|k| (k.received_at, k.id));
        Ok(rows
            .into_iter()
            .map(|k| {
                vec![
                    k.source_ref.clone().unwrap_or_default(),
                    short_datetime(k.received_at),
                    k.work_order_type.map(|t| t.label().to_string()).unwrap_or_default(),
                    k.description.clone(),
                    k.address.clone(),
                    k.no.clone(),
                    k.status.label().to_string(),
                    name(k.assigned_org_id.or(k.transferred_to_org_id)),
                    k.verification.map(|v| v.label().to_string()).unwrap_or_default(),
                    k.disposal.map(|d| d.label().to_string()).unwrap_or_default(),
                    k.reply.clone().unwrap_or_default(),
                    k.replied_at.map(short_datetime).unwrap_or_default(),
                    k.closed_at.map(short_datetime).unwrap_or_default(),
                ]
            })
            .collect())
    }
}

fn reject(errors: Vec<String>) -> AppError {
    let mut e = AppError::with_message(
        ErrorCode::ImportRejected,
        format!(
            "导入文件有 {} 处错误，未导入任何工单：\n{}",
            errors.len(),
            errors.iter().take(200).cloned().collect::<Vec<_>>().join("\n")
        ),
    );
    e.fields = errors
        .into_iter()
        .map(|m| crate::FieldError {
            field: "file".into(),
            message: m,
        })
        .collect();
    e
}

/// For tests and docs: the import's stored form of an instant.
pub fn stored(t: jiff::Timestamp) -> String {
    format_ts(t)
}
