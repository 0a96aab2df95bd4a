//! `jingzhi files …`: the evidence file store as an operator sees it.

use crate::config::Config;
use anyhow::{Result, bail};
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum FilesCmd {
    /// Where files are kept (`[files]`).
    Show,
    /// Read every file in the local directory and check that its content hashes to its name (exit
    /// code 1 when any is damaged or out of place).
    Verify,
}

pub fn run(c: &Config, cmd: FilesCmd) -> Result<ExitCode> {
    match cmd {
        FilesCmd::Show => {
            outln!("{}", c.file_store().location());
            outln!("单个文件上限 {} MB", c.files.max_mb);
            Ok(ExitCode::SUCCESS)
        }
        FilesCmd::Verify => {
            if c.files.backend != "local" {
                bail!("files verify 只检查本地目录（backend = \"local\"）；S3 存储请用对象存储自身的校验与版本功能");
            }
            let dir = c.files_dir();
            let store = jingzhi_files::LocalFiles::new(&dir);
            let rep = store.verify_all().map_err(|e| anyhow::anyhow!("{e}"))?;
            for name in &rep.damaged {
                outln!("已损坏（内容与名称不符）：{}", store.path_of(name)?.display());
            }
            for path in &rep.strays {
                outln!("不属于文件库的文件：{}", path.display());
            }
            if rep.temporaries > 0 {
                outln!(
                    "另有 {} 个未完成写入的临时文件（.tmp-*，从不作为内容读取，可删除）",
                    rep.temporaries
                );
            }
            let mb = rep.bytes as f64 / (1024.0 * 1024.0);
            if rep.is_clean() {
                outln!(
                    "文件目录 {}：共 {} 个文件（{mb:.1} MB），全部完好。",
                    dir.display(),
                    rep.checked
                );
                Ok(ExitCode::SUCCESS)
            } else {
                outln!(
                    "文件目录 {}：共 {} 个文件（{mb:.1} MB），{} 个已损坏，{} 个不属于文件库。",
                    dir.display(),
                    rep.checked,
                    rep.damaged.len(),
                    rep.strays.len()
                );
                Ok(ExitCode::from(1))
            }
        }
    }
}
