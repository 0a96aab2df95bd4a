//! `jingzhi calendar …` and `jingzhi deadline …`.

use crate::{CalendarCmd, DeadlineCmd, app_err};
use anyhow::{Context, Result, anyhow, bail};
use jingzhi_app::clocks::{CalendarFile, DeadlineRequest, remaining_text};
use jingzhi_app::{Actor, App};
use jingzhi_domain::clock::{Extension, Suspension};
use jingzhi_domain::time::{parse_date, parse_instant, zh_date, zh_weekday};
use std::process::ExitCode;

pub fn calendar(app: &App, actor: &Actor, cmd: CalendarCmd) -> Result<ExitCode> {
    match cmd {
        CalendarCmd::Show { year } => {
            let v = app.calendar_year(actor, year).map_err(app_err)?;
            match &v.data {
                Some(y) => {
                    outln!("{year}年工作日历（来源：{}）", y.source);
                    for d in &y.days {
                        outln!("  {} {} {} {}", d.date, zh_weekday(d.date), d.kind.label(), d.name);
                    }
                }
                None => outln!("{year}年工作日历尚未录入：按周末推算（暂定）"),
            }
            let months: Vec<String> = v
                .working_days_per_month
                .iter()
                .enumerate()
                .map(|(i, n)| format!("{}月{n}", i + 1))
                .collect();
            outln!(
                "工作日：{}；全年 {} 天",
                months.join(" "),
                v.working_days_per_month.iter().sum::<i64>()
            );
            if let Some(p) = v.provisional {
                outln!("（暂定：{}）", p.reason);
            }
            Ok(ExitCode::SUCCESS)
        }
        CalendarCmd::Import {
            file,
            year,
            source,
            dry_run,
        } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let format = if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
                let year = year.ok_or_else(|| anyhow!("CSV 格式的日历须用 --year 指明年份"))?;
                let source = source.ok_or_else(|| anyhow!("CSV 格式的日历须用 --source 注明出处（所依据的通知）"))?;
                CalendarFile::Csv { year, source }
            } else {
                CalendarFile::Toml
            };
            eprintln!("正在校验 {} …", file.display());
            let y = app.import_calendar(actor, &text, format, dry_run).map_err(app_err)?;
            let holidays = y.holidays().count();
            let makeup = y.makeup_workdays().count();
            outln!(
                "{}{}年：节假日 {holidays} 天，调休上班 {makeup} 天（来源：{}）",
                if dry_run {
                    "试运行（未写入）："
                } else {
                    "已导入："
                },
                y.year,
                y.source
            );
            Ok(ExitCode::SUCCESS)
        }
        CalendarCmd::AddWorkingDays { date, n } => {
            let d = parse_date(&date).map_err(|e| anyhow!(e))?;
            let (r, p) = app.add_working_days(actor, d, n).map_err(app_err)?;
            outln!("{r}");
            eprintln!(
                "{}（{}）起算（当日不计）第{n}个工作日为{}（{}）",
                zh_date(d),
                zh_weekday(d),
                zh_date(r),
                zh_weekday(r)
            );
            if let Some(p) = p {
                eprintln!("暂定：{}", p.reason);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn parse_suspension(s: &str, reason: &str) -> Result<Suspension> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| anyhow!("--suspend 的格式为 开始..结束，收到的是 {s}"))?;
    let start = parse_instant(a).map_err(|e| anyhow!(e))?;
    let end = if b.trim().is_empty() {
        None
    } else {
        Some(parse_instant(b).map_err(|e| anyhow!(e))?)
    };
    Ok(Suspension {
        start,
        end,
        reason: reason.to_string(),
        approver: "命令行".into(),
    })
}

fn parse_extension(s: &str) -> Result<Extension> {
    let (n, who) = s.split_once(':').unwrap_or((s, "命令行"));
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| anyhow!("--extend 的格式为 长度[:批准人]，收到的是 {s}"))?;
    Ok(Extension::new(n, who.trim(), "批准延长"))
}

pub fn deadline(app: &App, actor: &Actor, cmd: DeadlineCmd) -> Result<ExitCode> {
    match cmd {
        DeadlineCmd::Explain {
            rule,
            from,
            suspend,
            suspend_reason,
            extend,
            met,
            now,
        } => {
            let anchor = parse_instant(&from).map_err(|e| anyhow!(e))?;
            let req = DeadlineRequest {
                rule,
                anchor,
                suspensions: suspend
                    .iter()
                    .map(|s| parse_suspension(s, &suspend_reason))
                    .collect::<Result<_>>()?,
                extensions: extend.iter().map(|e| parse_extension(e)).collect::<Result<_>>()?,
                met_at: met.map(|m| parse_instant(&m).map_err(|e| anyhow!(e))).transpose()?,
                now: now.map(|n| parse_instant(&n).map_err(|e| anyhow!(e))).transpose()?,
            };
            let d = app.compute_deadline(actor, &req).map_err(app_err)?;
            outln!("{}", d.due_date);
            outln!("{}", d.explanation());
            let rem = remaining_text(&d);
            eprintln!(
                "状态：{}{}",
                d.state.label(),
                if rem.is_empty() {
                    String::new()
                } else {
                    format!("（{rem}）")
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        DeadlineCmd::Rules => {
            let data = app.clock_rules(actor).map_err(app_err)?;
            if data.rules.is_empty() {
                bail!("没有加载任何期限规则");
            }
            for r in data.rules.rules() {
                outln!(
                    "{:<30} {}{} {}{}",
                    r.code,
                    r.name,
                    if r.confirmed { "" } else { "（待核实）" },
                    r.unit.amount(r.length),
                    format_args!("，自{}起", r.anchor.label())
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        DeadlineCmd::Sweep => {
            let started = std::time::Instant::now();
            let r = app.sweep_clocks().map_err(app_err)?;
            outln!(
                "已检查 {} 个未完成期限：状态变化 {}，即将超期 {}，已超期 {}，新预警 {}，出错 {}；用时 {:.3} 秒",
                r.checked,
                r.changed,
                r.due_soon,
                r.overdue,
                r.alerts_raised,
                r.errors,
                started.elapsed().as_secs_f64()
            );
            Ok(if r.errors > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
