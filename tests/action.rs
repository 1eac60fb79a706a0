//! The composite action (action.yml), run the way a GitHub runner runs it: each `run:` step under
//! `bash --noprofile --norc -eo pipefail` in the workspace, with the runner's files and variables
//! (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP, ...), its `if:` and the `${{ }}` in its `env:`
//! and `with:` evaluated, and each `uses:` step recorded instead of run.
//!
//! The evaluator knows only the subset of the expression language that action.yml uses and fails
//! on anything else, so a new construct in action.yml gets a deliberate extension here, never a
//! guess. The binary is this build's (the action's `binary` input) and the database the bundled
//! fixture (`db-path`, a directory without .git, which the action uses as it is), so nothing here
//! touches the network.

mod common;

use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

const WARDEN: &str = env!("CARGO_BIN_EXE_cargo-warden");

/// The steps are bash scripts: without bash (Windows) there is nothing to run.
fn skipped(test: &str) -> bool {
    if cfg!(unix) {
        return false;
    }
    // The real stderr, which the harness does not capture: a skip must be visible.
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED {test}: the action's steps need bash, which this platform does not run here"
    );
    true
}

fn load(path: &Path) -> Yaml {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    let mut docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|err| panic!("{} is not YAML: {err}", path.display()));
    assert_eq!(docs.len(), 1, "{}: one YAML document", path.display());
    docs.remove(0)
}

/// A scalar as the runner reads it: every input and env value is a string.
fn scalar(value: &Yaml, what: &str) -> String {
    match value {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        other => panic!("{what}: expected a scalar, found {other:?}"),
    }
}

fn hash<'a>(value: &'a Yaml, what: &str) -> &'a yaml_rust2::yaml::Hash {
    value
        .as_hash()
        .unwrap_or_else(|| panic!("{what}: expected a mapping, found {value:?}"))
}

fn string_map(value: &Yaml, what: &str) -> Vec<(String, String)> {
    if value.is_badvalue() {
        return Vec::new();
    }
    hash(value, what)
        .iter()
        .map(|(k, v)| {
            let key = scalar(k, what);
            let value = scalar(v, &format!("{what}.{key}"));
            (key, value)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The action, as declared.

struct Action {
    /// Every input with its default.
    defaults: BTreeMap<String, String>,
    /// Output name and its `value:` template.
    outputs: Vec<(String, String)>,
    steps: Vec<Step>,
}

struct Step {
    name: String,
    id: Option<String>,
    condition: Option<String>,
    env: Vec<(String, String)>,
    body: Body,
}

enum Body {
    Run(String),
    Uses {
        action: String,
        with: Vec<(String, String)>,
    },
}

fn action() -> Action {
    let doc = load(&common::repo().join("action.yml"));
    assert_eq!(
        doc["runs"]["using"].as_str(),
        Some("composite"),
        "action.yml: a composite action"
    );
    let defaults = hash(&doc["inputs"], "inputs")
        .iter()
        .map(|(name, spec)| {
            let name = scalar(name, "inputs");
            let default = match &spec["default"] {
                Yaml::BadValue => String::new(),
                value => scalar(value, &format!("inputs.{name}.default")),
            };
            (name, default)
        })
        .collect();
    let outputs = hash(&doc["outputs"], "outputs")
        .iter()
        .map(|(name, spec)| {
            let name = scalar(name, "outputs");
            let value = scalar(&spec["value"], &format!("outputs.{name}.value"));
            (name, value)
        })
        .collect();
    let mut names = BTreeSet::new();
    let steps = doc["runs"]["steps"]
        .as_vec()
        .expect("runs.steps: a list")
        .iter()
        .map(|step| {
            for key in hash(step, "a step").keys() {
                let key = scalar(key, "a step's key");
                assert!(
                    ["name", "id", "if", "shell", "env", "run", "uses", "with"]
                        .contains(&key.as_str()),
                    "a step uses `{key}`, which tests/action.rs does not run; teach it or drop the key"
                );
            }
            let name = scalar(&step["name"], "every step's name");
            assert!(names.insert(name.clone()), "two steps are named `{name}`");
            let body = match (&step["run"], &step["uses"]) {
                (Yaml::String(script), Yaml::BadValue) => {
                    assert_eq!(
                        step["shell"].as_str(),
                        Some("bash"),
                        "step `{name}`: run steps say `shell: bash`"
                    );
                    Body::Run(script.clone())
                }
                (Yaml::BadValue, Yaml::String(action)) => Body::Uses {
                    action: action.clone(),
                    with: string_map(&step["with"], &format!("step `{name}` with")),
                },
                _ => panic!("step `{name}`: needs exactly one of run and uses"),
            };
            Step {
                id: step["id"].as_str().map(str::to_owned),
                condition: match &step["if"] {
                    Yaml::BadValue => None,
                    value => Some(scalar(value, &format!("step `{name}` if"))),
                },
                env: string_map(&step["env"], &format!("step `{name}` env")),
                name,
                body,
            }
        })
        .collect();
    Action {
        defaults,
        outputs,
        steps,
    }
}

// ---------------------------------------------------------------------------------------------
// Expressions: string literals, context paths, `==`, `!=`, `&&`, parentheses, `always()` and
// `success()`. Nothing else.

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(String),
    Path(String),
    Call(String),
    And,
    Eq,
    Ne,
    Open,
    Close,
}

#[derive(Debug)]
enum Expr {
    Str(String),
    Path(String),
    Call(String),
    Compare {
        left: Box<Expr>,
        equal: bool,
        right: Box<Expr>,
    },
    And(Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    Bool(bool),
}

impl Value {
    fn truthy(&self) -> bool {
        match self {
            Value::Str(s) => !s.is_empty(),
            Value::Bool(b) => *b,
        }
    }

    fn text(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
        }
    }
}

fn not_understood(expr: &str, what: &str) -> ! {
    panic!(
        "tests/action.rs does not understand {what} in `{expr}`; extend its evaluator or simplify the expression in action.yml"
    )
}

fn tokenize(expr: &str) -> Vec<Token> {
    let chars: Vec<char> = expr.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match (c, next) {
            (c, _) if c.is_whitespace() => i += 1,
            ('(', _) => {
                tokens.push(Token::Open);
                i += 1;
            }
            (')', _) => {
                tokens.push(Token::Close);
                i += 1;
            }
            ('&', Some('&')) => {
                tokens.push(Token::And);
                i += 2;
            }
            ('=', Some('=')) => {
                tokens.push(Token::Eq);
                i += 2;
            }
            ('!', Some('=')) => {
                tokens.push(Token::Ne);
                i += 2;
            }
            ('\'', _) => {
                // A quote inside a literal is written twice.
                let mut text = String::new();
                i += 1;
                loop {
                    match (chars.get(i), chars.get(i + 1)) {
                        (None, _) => not_understood(expr, "an unterminated string"),
                        (Some('\''), Some('\'')) => {
                            text.push('\'');
                            i += 2;
                        }
                        (Some('\''), _) => {
                            i += 1;
                            break;
                        }
                        (Some(&ch), _) => {
                            text.push(ch);
                            i += 1;
                        }
                    }
                }
                tokens.push(Token::Str(text));
            }
            (c, _) if c.is_ascii_alphabetic() => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if chars.get(i) == Some(&'(') {
                    if chars.get(i + 1) != Some(&')') {
                        not_understood(expr, &format!("the arguments of `{word}(`"));
                    }
                    tokens.push(Token::Call(word));
                    i += 2;
                } else {
                    tokens.push(Token::Path(word));
                }
            }
            (c, _) => not_understood(expr, &format!("`{c}`")),
        }
    }
    tokens
}

struct Parser<'a> {
    expr: &'a str,
    tokens: Vec<Token>,
    at: usize,
}

impl Parser<'_> {
    fn parse(expr: &str) -> Expr {
        let mut parser = Parser {
            expr,
            tokens: tokenize(expr),
            at: 0,
        };
        let parsed = parser.and();
        if let Some(token) = parser.tokens.get(parser.at) {
            not_understood(expr, &format!("{token:?} after a complete expression"));
        }
        parsed
    }

    fn and(&mut self) -> Expr {
        let mut terms = vec![self.compare()];
        while self.tokens.get(self.at) == Some(&Token::And) {
            self.at += 1;
            terms.push(self.compare());
        }
        if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::And(terms)
        }
    }

    fn compare(&mut self) -> Expr {
        let left = self.primary();
        let equal = match self.tokens.get(self.at) {
            Some(Token::Eq) => true,
            Some(Token::Ne) => false,
            _ => return left,
        };
        self.at += 1;
        let right = self.primary();
        Expr::Compare {
            left: Box::new(left),
            equal,
            right: Box::new(right),
        }
    }

    fn primary(&mut self) -> Expr {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        match token {
            Some(Token::Str(text)) => Expr::Str(text),
            Some(Token::Path(path)) => Expr::Path(path),
            Some(Token::Call(name)) => match name.as_str() {
                "always" | "success" => Expr::Call(name),
                _ => not_understood(self.expr, &format!("the function `{name}()`")),
            },
            Some(Token::Open) => {
                let inner = self.and();
                if self.tokens.get(self.at) != Some(&Token::Close) {
                    not_understood(self.expr, "an unclosed parenthesis");
                }
                self.at += 1;
                inner
            }
            Some(other) => not_understood(self.expr, &format!("{other:?} where a value belongs")),
            None => not_understood(self.expr, "a missing operand"),
        }
    }
}

fn has_status_check(expr: &Expr) -> bool {
    match expr {
        Expr::Call(_) => true,
        Expr::Compare { left, right, .. } => has_status_check(left) || has_status_check(right),
        Expr::And(terms) => terms.iter().any(has_status_check),
        Expr::Str(_) | Expr::Path(_) => false,
    }
}

/// What expressions can see while the action runs.
struct Context<'a> {
    inputs: &'a BTreeMap<String, String>,
    step_ids: &'a BTreeSet<String>,
    step_outputs: &'a BTreeMap<String, BTreeMap<String, String>>,
    runner: &'a BTreeMap<&'static str, String>,
    failed: bool,
}

impl Context<'_> {
    fn eval(&self, expr: &str) -> Value {
        self.value(&Parser::parse(expr), expr)
    }

    fn value(&self, node: &Expr, expr: &str) -> Value {
        match node {
            Expr::Str(text) => Value::Str(text.clone()),
            Expr::Path(path) => Value::Str(self.lookup(path, expr)),
            Expr::Call(name) => Value::Bool(name == "always" || !self.failed),
            Expr::Compare { left, equal, right } => {
                let same = match (self.value(left, expr), self.value(right, expr)) {
                    // The runner compares strings ignoring case.
                    (Value::Str(a), Value::Str(b)) => a.to_lowercase() == b.to_lowercase(),
                    (Value::Bool(a), Value::Bool(b)) => a == b,
                    _ => not_understood(expr, "a comparison of a string with a boolean"),
                };
                Value::Bool(same == *equal)
            }
            Expr::And(terms) => {
                let mut last = Value::Bool(true);
                for term in terms {
                    last = self.value(term, expr);
                    if !last.truthy() {
                        break;
                    }
                }
                last
            }
        }
    }

    fn lookup(&self, path: &str, expr: &str) -> String {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self
                .inputs
                .get(*name)
                .cloned()
                .unwrap_or_else(|| panic!("`{expr}`: action.yml declares no input `{name}`")),
            ["steps", id, "outputs", name] => {
                assert!(
                    self.step_ids.contains(*id),
                    "`{expr}`: action.yml has no step with id `{id}`"
                );
                // A step that was skipped, or did not set the output, gives the empty string.
                self.step_outputs
                    .get(*id)
                    .and_then(|outputs| outputs.get(*name))
                    .cloned()
                    .unwrap_or_default()
            }
            [context @ ("github" | "runner"), name] => {
                let key = match (*context, *name) {
                    ("github", "workspace") => "GITHUB_WORKSPACE",
                    ("github", "action_path") => "GITHUB_ACTION_PATH",
                    ("runner", "temp") => "RUNNER_TEMP",
                    ("runner", "os") => "RUNNER_OS",
                    ("runner", "arch") => "RUNNER_ARCH",
                    _ => not_understood(expr, &format!("the context value `{path}`")),
                };
                self.runner[key].clone()
            }
            _ => not_understood(expr, &format!("the context value `{path}`")),
        }
    }

    /// `${{ ... }}` inside a string, as in `env:` and `with:` values.
    fn interpolate(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 3..];
            let end = after
                .find("}}")
                .unwrap_or_else(|| not_understood(text, "an unclosed `${{`"));
            out.push_str(&self.eval(after[..end].trim()).text());
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// A step's `if:`, with the runner's implicit `success() &&` when it names no status check.
    fn condition(&self, condition: Option<&str>) -> bool {
        let Some(text) = condition else {
            return !self.failed;
        };
        let text = text.trim();
        let expr = match text.strip_prefix("${{").and_then(|t| t.strip_suffix("}}")) {
            Some(inner) => inner.trim(),
            None => text,
        };
        if expr.contains("${{") {
            not_understood(text, "`${{` inside a condition");
        }
        let parsed = Parser::parse(expr);
        let value = self.value(&parsed, expr).truthy();
        if has_status_check(&parsed) {
            value
        } else {
            !self.failed && value
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running it.

/// What one step did.
struct Ran {
    ran: bool,
    /// For `uses:` steps: the action and its evaluated `with:`.
    uses: Option<(String, BTreeMap<String, String>)>,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
}

struct Outcome {
    _dir: tempfile::TempDir,
    workspace: PathBuf,
    runner_temp: PathBuf,
    tool_cache: PathBuf,
    /// Step name to what it did, in order.
    steps: Vec<(String, Ran)>,
    /// The action's outputs.
    outputs: BTreeMap<String, String>,
    summary: String,
    /// Whether a step failed, so the action (and the job) fails.
    failed: bool,
}

impl Outcome {
    fn step(&self, name: &str) -> &Ran {
        self.steps
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, ran)| ran)
            .unwrap_or_else(|| panic!("action.yml has no step named `{name}`"))
    }

    fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .unwrap_or_else(|| panic!("action.yml declares no output `{name}`"))
    }

    /// Everything the steps printed, for failure messages.
    fn log(&self) -> String {
        let mut log = String::new();
        for (name, ran) in &self.steps {
            if ran.code.is_some() {
                log.push_str(&format!(
                    "--- {name} (exit {:?})\n{}{}",
                    ran.code, ran.stdout, ran.stderr
                ));
            }
        }
        log
    }

    /// The JSON report the scan step wrote for its outputs.
    fn report(&self) -> Json {
        let dirs: Vec<PathBuf> = std::fs::read_dir(&self.runner_temp)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| {
                path.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("cargo-warden."))
            })
            .collect();
        assert_eq!(dirs.len(), 1, "one scan directory in RUNNER_TEMP: {dirs:?}");
        let text = std::fs::read_to_string(dirs[0].join("report.json")).unwrap();
        common::json(&text)
    }
}

/// Runs the action with these inputs in a workspace that `setup` fills, stopping after the step
/// named `until` when given.
fn run_action(inputs: &[(&str, &str)], setup: impl FnOnce(&Path), until: Option<&str>) -> Outcome {
    run_action_on(&[], inputs, setup, until)
}

/// [`run_action`] with more of the runner's environment (the event, say) in every step.
fn run_action_on(
    event: &[(&'static str, &str)],
    inputs: &[(&str, &str)],
    setup: impl FnOnce(&Path),
    until: Option<&str>,
) -> Outcome {
    let action = action();
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("workspace");
    let runner_temp = dir.path().join("runner-temp");
    let tool_cache = dir.path().join("tool-cache");
    let cargo_home = dir.path().join("cargo-home");
    let scripts = dir.path().join("scripts");
    for d in [&workspace, &runner_temp, &tool_cache, &cargo_home, &scripts] {
        std::fs::create_dir_all(d).unwrap();
    }
    setup(&workspace);
    let summary_file = dir.path().join("step-summary.md");
    std::fs::write(&summary_file, "").unwrap();

    let mut given = action.defaults.clone();
    for (name, value) in inputs {
        assert!(
            given.contains_key(*name),
            "action.yml declares no input `{name}`"
        );
        given.insert((*name).to_owned(), (*value).to_owned());
    }
    let mut runner: BTreeMap<&'static str, String> = [
        ("GITHUB_WORKSPACE", workspace.display().to_string()),
        ("GITHUB_ACTION_PATH", common::repo().display().to_string()),
        ("GITHUB_STEP_SUMMARY", summary_file.display().to_string()),
        ("RUNNER_TEMP", runner_temp.display().to_string()),
        ("RUNNER_TOOL_CACHE", tool_cache.display().to_string()),
        (
            "RUNNER_OS",
            if cfg!(target_os = "macos") {
                "macOS"
            } else {
                "Linux"
            }
            .to_owned(),
        ),
        (
            "RUNNER_ARCH",
            if cfg!(target_arch = "aarch64") {
                "ARM64"
            } else {
                "X64"
            }
            .to_owned(),
        ),
    ]
    .into_iter()
    .collect();
    runner.extend(event.iter().map(|(key, value)| (*key, (*value).to_owned())));
    let step_ids: BTreeSet<String> = action.steps.iter().filter_map(|s| s.id.clone()).collect();
    let mut step_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut failed = false;
    let mut steps = Vec::new();

    for (index, step) in action.steps.iter().enumerate() {
        let context = Context {
            inputs: &given,
            step_ids: &step_ids,
            step_outputs: &step_outputs,
            runner: &runner,
            failed,
        };
        let mut ran = Ran {
            ran: context.condition(step.condition.as_deref()),
            uses: None,
            code: None,
            stdout: String::new(),
            stderr: String::new(),
            outputs: BTreeMap::new(),
        };
        if ran.ran {
            let env: Vec<(String, String)> = step
                .env
                .iter()
                .map(|(k, v)| (k.clone(), context.interpolate(v)))
                .collect();
            match &step.body {
                Body::Uses { action, with } => {
                    let with = with
                        .iter()
                        .map(|(k, v)| (k.clone(), context.interpolate(v)))
                        .collect();
                    ran.uses = Some((action.clone(), with));
                }
                Body::Run(script) => {
                    let script_file = scripts.join(format!("step-{index}.sh"));
                    std::fs::write(&script_file, script).unwrap();
                    let output_file = dir.path().join(format!("output-{index}"));
                    std::fs::write(&output_file, "").unwrap();
                    let mut cmd = Command::new("bash");
                    cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                        .arg(&script_file)
                        .current_dir(&workspace)
                        // An empty CARGO_HOME: `cargo metadata --offline` behaves the same on
                        // every machine (as in tests/cli.rs), and no default database exists.
                        .env("CARGO_HOME", &cargo_home)
                        .env("GITHUB_OUTPUT", &output_file)
                        .env_remove("WARDEN_TODAY");
                    for (key, value) in &runner {
                        cmd.env(key, value);
                    }
                    for (key, value) in &env {
                        cmd.env(key, value);
                    }
                    let output = cmd.output().expect("bash runs");
                    ran.code = output.status.code();
                    ran.stdout = String::from_utf8_lossy(&output.stdout).into_owned();
                    ran.stderr = String::from_utf8_lossy(&output.stderr).into_owned();
                    ran.outputs = parse_outputs(&std::fs::read_to_string(&output_file).unwrap());
                    if ran.code != Some(0) {
                        failed = true;
                    }
                }
            }
        }
        if let Some(id) = &step.id {
            step_outputs.insert(id.clone(), ran.outputs.clone());
        }
        steps.push((step.name.clone(), ran));
        if until == Some(step.name.as_str()) {
            break;
        }
    }
    let context = Context {
        inputs: &given,
        step_ids: &step_ids,
        step_outputs: &step_outputs,
        runner: &runner,
        failed,
    };
    let outputs = action
        .outputs
        .iter()
        .map(|(name, value)| (name.clone(), context.interpolate(value)))
        .collect();
    Outcome {
        summary: std::fs::read_to_string(&summary_file).unwrap(),
        _dir: dir,
        workspace,
        runner_temp,
        tool_cache,
        steps,
        outputs,
        failed,
    }
}

/// `name=value` lines, as the steps write them. The multi-line `name<<DELIMITER` form is not
/// used by action.yml and is refused rather than misread.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap_or_else(|| {
                panic!("GITHUB_OUTPUT line `{line}` is not name=value; tests/action.rs reads only that form")
            });
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

fn require_jq() {
    let found = Command::new("jq")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "jq is not installed; the action's scan step needs it (apt-get install jq, brew install jq)"
    );
}

fn demo(workspace: &Path) {
    common::copy_dir(&common::fixture("demo"), workspace);
}

/// A small crate with nothing to report.
fn clean(workspace: &Path) {
    std::fs::create_dir_all(workspace.join("src")).unwrap();
    std::fs::write(
        workspace.join("Cargo.toml"),
        "[package]\nname = \"tidy\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        workspace.join("src/lib.rs"),
        "/// Adds two numbers.\npub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n",
    )
    .unwrap();
}

fn db_fixture() -> String {
    common::fixture("advisory-db").display().to_string()
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn failing_gate_publishes_everything_then_fails_the_job() {
    if skipped("failing_gate_publishes_everything_then_fails_the_job") {
        return;
    }
    require_jq();
    let db = db_fixture();
    let out = run_action(
        &[
            ("binary", WARDEN),
            ("db-path", &db),
            ("args", "--clock published  --today 2026-11-22"),
        ],
        demo,
        None,
    );
    let log = out.log();

    // The prebuilt binary: nothing installed, nothing cached.
    let plan = out.step("Plan the cargo-warden install");
    assert_eq!(plan.outputs["mode"], "prebuilt", "{log}");
    assert_eq!(plan.outputs["binary"], WARDEN);
    assert!(!out.step("Restore cargo-warden from the cache").ran);
    assert!(!out.step("Install cargo-warden").ran);
    assert!(!out.step("Save cargo-warden to the cache").ran);

    // A database directory without .git is used as it is: no cache, no fetch.
    let db_plan = out.step("Plan the advisory database");
    assert_eq!(db_plan.outputs["use"], "true", "{log}");
    assert_eq!(db_plan.outputs["refresh"], "false");
    assert_eq!(db_plan.outputs["cache"], "false");
    assert!(db_plan
        .stdout
        .contains("is used as it is and never fetched"));
    assert!(!out.step("Restore the advisory database from the cache").ran);
    assert!(!out.step("Refresh the advisory database").ran);
    assert!(!out.step("Save the advisory database to the cache").ran);

    // The scan step records the gate's exit code and succeeds itself.
    let scan = out.step("Scan");
    assert_eq!(scan.code, Some(0), "{log}");
    assert_eq!(scan.outputs["exit-code"], "1", "{log}");

    // Outputs agree with the JSON report.
    let report = out.report();
    let findings = report["findings"].as_array().expect("findings: an array");
    let active = findings.iter().filter(|f| f["status"] != "ignored").count();
    let overdue: Vec<&Json> = findings
        .iter()
        .filter(|f| f["status"] == "overdue")
        .collect();
    assert!(!overdue.is_empty(), "the demo has overdue findings");
    assert_eq!(report["gate"]["passed"], false);
    assert_eq!(out.output("gate"), "failed");
    assert_eq!(out.output("findings"), active.to_string());
    assert_eq!(out.output("overdue"), overdue.len().to_string());
    assert_eq!(out.output("sarif-file"), "warden.sarif");

    // Annotations on stdout: one error per finding that fails the gate (GitHub shows ten).
    let failing = report["gate"]["failing"].as_u64().expect("gate.failing") as usize;
    let errors = scan
        .stdout
        .lines()
        .filter(|line| line.starts_with("::error "))
        .collect::<Vec<_>>();
    assert_eq!(errors.len(), failing.min(10), "{}", scan.stdout);
    assert!(
        errors.iter().all(|line| line.contains("file=")),
        "{}",
        scan.stdout
    );

    // The SARIF report, where the upload step reads it.
    let sarif_path = out.workspace.join("warden.sarif");
    let sarif = common::json(&std::fs::read_to_string(&sarif_path).unwrap());
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"].as_array().unwrap().is_empty());
    let upload = out.step("Upload SARIF to code scanning");
    assert!(upload.ran, "the SARIF upload runs although the gate failed");
    let (uses, with) = upload.uses.as_ref().unwrap();
    assert!(uses.starts_with("github/codeql-action/upload-sarif@"));
    assert_eq!(with["sarif_file"], "warden.sarif");
    assert_eq!(with["category"], "cargo-warden");

    // The job summary is the scan's markdown report, and names what is overdue.
    assert!(out.step("Write the job summary").ran);
    let markdown = out.summary.trim();
    assert!(!markdown.is_empty(), "the job summary is empty\n{log}");
    let rule = overdue[0]["rule"].as_str().unwrap();
    assert!(
        markdown.contains(rule),
        "the summary does not name {rule}:\n{markdown}"
    );

    // Only the last step fails the job, with the scan's exit code.
    let gate = out.step("Apply the gate");
    assert_eq!(gate.code, Some(1), "{log}");
    assert!(
        gate.stdout
            .contains("::error title=cargo-warden::the gate failed"),
        "{}",
        gate.stdout
    );
    assert!(out.failed);
}

#[test]
fn clean_crate_passes_without_touching_the_database() {
    if skipped("clean_crate_passes_without_touching_the_database") {
        return;
    }
    require_jq();
    let out = run_action(
        &[("binary", WARDEN), ("checks", "secrets, code")],
        clean,
        None,
    );
    let log = out.log();
    // Without the advisories check there is no database to restore or fetch.
    assert_eq!(
        out.step("Plan the advisory database").outputs["use"],
        "false",
        "{log}"
    );
    assert!(!out.step("Restore the advisory database from the cache").ran);
    assert!(!out.step("Refresh the advisory database").ran);

    assert_eq!(out.step("Scan").outputs["exit-code"], "0", "{log}");
    assert_eq!(out.output("gate"), "passed", "{log}");
    assert_eq!(out.output("findings"), "0");
    assert_eq!(out.output("overdue"), "0");
    assert!(out.step("Upload SARIF to code scanning").ran);
    assert!(out.workspace.join("warden.sarif").is_file());
    let gate = out.step("Apply the gate");
    assert_eq!(gate.code, Some(0), "{log}");
    assert!(gate.stdout.contains("cargo-warden: the gate passed"));
    assert!(!out.failed);
}

#[test]
fn scan_error_fails_with_exit_2_and_uploads_nothing() {
    if skipped("scan_error_fails_with_exit_2_and_uploads_nothing") {
        return;
    }
    require_jq();
    let out = run_action(
        &[
            ("binary", WARDEN),
            ("checks", "secrets,code"),
            ("policy", "no-such-policy"),
            ("upload-sarif", "true"),
        ],
        // A report left by an earlier run, which must not pass for this run's.
        |workspace| {
            clean(workspace);
            std::fs::write(workspace.join("warden.sarif"), "{\"runs\": []}").unwrap();
        },
        None,
    );
    let log = out.log();
    let scan = out.step("Scan");
    assert_eq!(scan.outputs["exit-code"], "2", "{log}");
    assert!(scan.stderr.contains("no-such-policy"), "{log}");
    assert_eq!(out.output("gate"), "error");
    assert_eq!(out.output("findings"), "");
    assert!(!out.workspace.join("warden.sarif").exists());
    assert!(
        !out.step("Upload SARIF to code scanning").ran,
        "no SARIF was written, so none is uploaded"
    );
    let gate = out.step("Apply the gate");
    assert_eq!(gate.code, Some(2), "{log}");
    assert!(
        gate.stdout.contains("the scan could not run (exit 2)"),
        "{}",
        gate.stdout
    );
    assert!(out.failed);
}

#[test]
fn upload_sarif_false_skips_the_upload() {
    if skipped("upload_sarif_false_skips_the_upload") {
        return;
    }
    require_jq();
    let out = run_action(
        &[
            ("binary", WARDEN),
            ("checks", "secrets,code"),
            ("upload-sarif", "false"),
            ("sarif-file", "reports/warden.sarif"),
        ],
        clean,
        None,
    );
    assert!(
        out.workspace.join("reports/warden.sarif").is_file(),
        "{}",
        out.log()
    );
    assert_eq!(out.output("sarif-file"), "reports/warden.sarif");
    assert!(!out.step("Upload SARIF to code scanning").ran);
    assert!(out.step("Write the job summary").ran);
}

#[test]
fn install_plan_keys_the_cache_on_version_os_and_arch() {
    if skipped("install_plan_keys_the_cache_on_version_os_and_arch") {
        return;
    }
    let plan = "Plan the cargo-warden install";
    let os = if cfg!(target_os = "macos") {
        "macOS"
    } else {
        "Linux"
    };
    let arch = if cfg!(target_arch = "aarch64") {
        "ARM64"
    } else {
        "X64"
    };

    // The local build: keyed on a hash of the action's own source, the same on every run.
    let local = run_action(&[], |_| {}, Some(plan));
    let outputs = &local.step(plan).outputs;
    assert_eq!(outputs["mode"], "local", "{}", local.log());
    let key = &outputs["cache-key"];
    let digest = key
        .strip_prefix(&format!("cargo-warden-{os}-{arch}-local-"))
        .unwrap_or_else(|| panic!("{key}: not cargo-warden-{os}-{arch}-local-<digest>"));
    assert_eq!(digest.len(), 16, "{key}");
    assert!(digest.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    let again = run_action(&[], |_| {}, Some(plan));
    assert_eq!(key, &again.step(plan).outputs["cache-key"]);
    let dir = PathBuf::from(&outputs["dir"]);
    assert!(dir.starts_with(&local.tool_cache), "{}", dir.display());
    assert_eq!(
        PathBuf::from(&outputs["binary"]),
        dir.join("bin/cargo-warden")
    );

    // A crates.io release: keyed on its version.
    let release = run_action(&[("version", "0.1.0")], |_| {}, Some(plan));
    let outputs = &release.step(plan).outputs;
    assert_eq!(outputs["mode"], "crates-io", "{}", release.log());
    assert_eq!(
        outputs["cache-key"],
        format!("cargo-warden-{os}-{arch}-0.1.0")
    );
}

#[test]
fn bad_version_or_binary_stops_the_action_before_anything_runs() {
    if skipped("bad_version_or_binary_stops_the_action_before_anything_runs") {
        return;
    }
    for (inputs, message) in [
        (
            vec![("version", "latest")],
            "version latest is neither local nor a crates.io version",
        ),
        (
            vec![("version", "0.1.0"), ("binary", WARDEN)],
            "the binary input and version 0.1.0 are both set",
        ),
        (
            vec![("binary", "no/such/cargo-warden")],
            "binary no/such/cargo-warden is not an executable file",
        ),
    ] {
        let out = run_action(&inputs, clean, None);
        let plan = out.step("Plan the cargo-warden install");
        assert_eq!(plan.code, Some(1), "{inputs:?}\n{}", out.log());
        assert!(plan.stdout.contains(message), "{inputs:?}: {}", plan.stdout);
        // Every later step runs only on success (or needs the scan's exit code).
        for (name, ran) in &out.steps[1..] {
            assert!(
                !ran.ran,
                "{inputs:?}: step `{name}` ran after the install plan failed"
            );
        }
        assert!(out.failed);
    }
}

/// The static rules every workflow file here keeps: expressions never inside `run:` scripts,
/// `shell: bash` on the action's steps, actions pinned to a full commit SHA with the version in a
/// comment, and checkouts that do not keep the token.
#[test]
fn workflow_files_are_hardened() {
    let repo = common::repo();
    let files = [
        "action.yml",
        ".github/workflows/ci.yml",
        "src/templates/github-workflow.yml",
    ];
    for file in files {
        let path = repo.join(file);
        let doc = load(&path);
        let steps: Vec<&Yaml> = if file == "action.yml" {
            doc["runs"]["steps"].as_vec().unwrap().iter().collect()
        } else {
            assert!(
                hash(&doc["permissions"], "permissions").is_empty(),
                "{file}: top-level `permissions: {{}}`"
            );
            hash(&doc["jobs"], "jobs")
                .values()
                .flat_map(|job| job["steps"].as_vec().unwrap().iter())
                .collect()
        };
        for step in steps {
            if let Some(script) = step["run"].as_str() {
                assert!(
                    !script.contains("${{"),
                    "{file}: an expression inside a run script:\n{script}"
                );
                if file == "action.yml" {
                    assert_eq!(step["shell"].as_str(), Some("bash"), "{file}: {script}");
                }
            }
            if let Some(uses) = step["uses"].as_str() {
                if uses.starts_with("actions/checkout@") {
                    assert_eq!(
                        step["with"]["persist-credentials"].as_bool(),
                        Some(false),
                        "{file}: checkout with persist-credentials: false"
                    );
                }
            }
        }

        // Comments are not in the parsed YAML: read the `uses:` lines themselves.
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let trimmed = line.trim_start().trim_start_matches("- ");
            let Some(uses) = trimmed.strip_prefix("uses:") else {
                continue;
            };
            let (reference, comment) = uses.split_once('#').unwrap_or((uses, ""));
            let reference = reference.trim();
            let ours = reference == "./"
                || (file == "src/templates/github-workflow.yml"
                    && reference == "cargo-warden/cargo-warden@v1");
            if ours {
                continue;
            }
            let sha = reference
                .rsplit_once('@')
                .map(|(_, sha)| sha)
                .unwrap_or_else(|| panic!("{file}: `{reference}` has no @ref"));
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
                "{file}: `{reference}` is not pinned to a full commit SHA"
            );
            assert!(
                comment.trim().starts_with('v'),
                "{file}: `{reference}` needs its version in a comment (# vX.Y.Z)"
            );
        }
    }
}

/// A pull request as actions/checkout sees it: upstream has `main` (the new-since fixture) and a
/// merge ref of `change` into it; the workspace is a one-commit clone of the merge ref, and
/// `../event.json` names `main` as the base. Returns nothing; the event file sits beside the
/// workspace.
fn pull_request(change: fn(&Path)) -> impl FnOnce(&Path) {
    move |workspace: &Path| {
        let upstream = workspace.parent().unwrap().join("upstream");
        common::copy_dir(&common::fixture("new-since"), &upstream);
        common::git(&upstream, &["init", "-q", "-b", "main"], None);
        common::git(&upstream, &["add", "-A"], None);
        common::git(
            &upstream,
            &["commit", "-q", "-m", "base"],
            Some("2026-11-01"),
        );
        common::git(&upstream, &["checkout", "-q", "-b", "change"], None);
        change(&upstream);
        common::git(&upstream, &["add", "-A"], None);
        common::git(
            &upstream,
            &["commit", "-q", "-m", "change"],
            Some("2026-12-01"),
        );
        common::git(&upstream, &["checkout", "-q", "main"], None);
        common::git(
            &upstream,
            &["merge", "-q", "--no-ff", "-m", "merge", "change"],
            Some("2026-12-02"),
        );
        common::git(
            &upstream,
            &["update-ref", "refs/pull/1/merge", "HEAD"],
            None,
        );
        common::git(&upstream, &["reset", "-q", "--hard", "HEAD^1"], None);
        let base = String::from_utf8(
            Command::new("git")
                .current_dir(&upstream)
                .args(["rev-parse", "main"])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        let url = format!("file://{}", upstream.display());
        common::git(workspace, &["init", "-q"], None);
        common::git(workspace, &["remote", "add", "origin", &url], None);
        common::git(
            workspace,
            &[
                "fetch",
                "-q",
                "--depth=1",
                "origin",
                "+refs/pull/1/merge:refs/remotes/pull/1/merge",
            ],
            None,
        );
        common::git(
            workspace,
            &["checkout", "-q", "--detach", "refs/remotes/pull/1/merge"],
            None,
        );
        std::fs::write(
            workspace.parent().unwrap().join("event.json"),
            format!(
                r#"{{"pull_request": {{"base": {{"sha": "{}"}}}}}}"#,
                base.trim()
            ),
        )
        .unwrap();
    }
}

/// Adds a vulnerable dependency (time 0.1.43) and takes the token out.
fn add_time_and_drop_the_token(dir: &Path) {
    let edit = |file: &str, from: &str, to: &str| {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(text.contains(from), "{file}");
        std::fs::write(dir.join(file), text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "Cargo.toml",
        "smallvec = \"0.6.9\"\n",
        "smallvec = \"0.6.9\"\ntime = \"0.1.43\"\n",
    );
    edit(
        "Cargo.lock",
        " \"smallvec\",\n]",
        " \"smallvec\",\n \"time\",\n]",
    );
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    std::fs::write(
        dir.join("Cargo.lock"),
        format!("{lock}\n[[package]]\nname = \"time\"\nversion = \"0.1.43\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"ca8a50ef2360fbd1eeb0ecd46795a87a19024eb4b53c5dc916ca1fd95fe62438\"\n"),
    )
    .unwrap();
    edit(
        "src/lib.rs",
        "const DEPLOY_TOKEN: &str = \"ghp_R8x2mQ7vLk4NtZ9wPj3sHd6YbCf1GuEa0XoV\";",
        "const DEPLOY_TOKEN: &str = env!(\"DEPLOY_TOKEN\");",
    );
}

/// A comment, nothing else.
fn touch_a_comment(dir: &Path) {
    let file = dir.join("src/lib.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(file, format!("// Reviewed.\n{text}")).unwrap();
}

const PULL_REQUEST: [(&str, &str); 2] = [
    ("GITHUB_EVENT_NAME", "pull_request"),
    ("GITHUB_EVENT_PATH", "../event.json"),
];

#[test]
fn a_pull_request_fails_only_on_what_it_brings_in() {
    if skipped("a_pull_request_fails_only_on_what_it_brings_in") {
        return;
    }
    require_jq();
    let db = db_fixture();
    let inputs = [
        ("binary", WARDEN),
        ("db-path", db.as_str()),
        ("args", "--today 2026-12-05"),
    ];
    let out = run_action_on(
        &PULL_REQUEST,
        &inputs,
        pull_request(add_time_and_drop_the_token),
        None,
    );
    let log = out.log();
    assert_eq!(out.step("Scan").outputs["exit-code"], "1", "{log}");
    assert_eq!(out.output("new"), "1", "{log}");
    assert_eq!(out.output("fixed"), "1", "{log}");
    let report = out.report();
    assert_eq!(report["gate"]["fail_on"], serde_json::json!(["new"]));
    // The upload keeps the comparison but not the `absent` results, which code scanning would
    // show as alerts; the job summary lists them.
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.workspace.join("warden.sarif")).unwrap())
            .unwrap();
    let states: Vec<&str> = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|run| run["results"].as_array().unwrap())
        .map(|r| r["baselineState"].as_str().unwrap())
        .collect();
    assert!(
        states.contains(&"new") && !states.contains(&"absent"),
        "{states:?}"
    );
    assert!(
        out.summary.contains("### Fixed here (1)"),
        "{}",
        out.summary
    );
    assert!(out.failed);

    // The same pull request touching only a comment passes, though the old advisory is overdue.
    let out = run_action_on(&PULL_REQUEST, &inputs, pull_request(touch_a_comment), None);
    let log = out.log();
    assert_eq!(out.step("Scan").outputs["exit-code"], "0", "{log}");
    assert_eq!(out.output("new"), "0", "{log}");
    assert!(!out.failed, "{log}");

    // A branch named as new-since, in a one-commit clone of one ref: fetched into
    // refs/remotes/origin/ with the history joining it, then compared.
    let named = [
        ("binary", WARDEN),
        ("db-path", db.as_str()),
        ("args", "--today 2026-12-05"),
        ("new-since", "main"),
    ];
    let out = run_action(&named, pull_request(add_time_and_drop_the_token), None);
    let log = out.log();
    assert_eq!(out.step("Scan").outputs["exit-code"], "1", "{log}");
    assert_eq!(out.output("new"), "1", "{log}");
    assert_eq!(
        out.report()["new_since"]["reference"],
        "origin/main",
        "{log}"
    );

    // Elsewhere (a push), the gate is strict: the overdue advisory fails it.
    let out = run_action(&inputs, pull_request(touch_a_comment), None);
    assert_eq!(out.step("Scan").outputs["exit-code"], "1", "{}", out.log());
    assert_eq!(out.output("new"), "");
}
