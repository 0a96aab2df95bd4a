#![forbid(unsafe_code)]
// mimalloc: glibc malloc spent an eighth of the 12345 import's CPU in `_int_malloc` once the heap
// grew (docs/BENCHMARKS.md); mimalloc keeps allocation cheap under both cores.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    jingzhi_cli::main()
}
