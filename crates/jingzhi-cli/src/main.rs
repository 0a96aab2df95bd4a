fn main() -> std::process::ExitCode {
    jingzhi_cli::main()
}
