//! The top-level modules of `src/` import one another in one direction (docs/architecture.md): reads every
//! source file, builds the graph of `crate::<module>` references between top-level modules (code and tests,
//! not comments) and fails on any circle, naming it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The text of a source file without its `//` comments (doc comments included); `://` in URLs is kept.
fn without_comments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        let mut cut = line.len();
        let bytes = line.as_bytes();
        for i in 0..bytes.len().saturating_sub(1) {
            if bytes[i] == b'/' && bytes[i + 1] == b'/' && (i == 0 || bytes[i - 1] != b':') {
                cut = i;
                break;
            }
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

fn ident_at(text: &str) -> &str {
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

/// The first path segment after each `crate::`, including every item of a group
/// (`crate::{a::b, c::{d, e}}` names `a` and `c`).
fn referenced_modules(source: &str) -> BTreeSet<String> {
    let text = without_comments(source);
    let mut names = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("crate::") {
        let before_ok = at == 0 || !rest[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        rest = &rest[at + "crate::".len()..];
        if !before_ok {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        names.insert(ident_at(&group[i..]).to_owned());
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(ident_at(rest).to_owned());
        }
    }
    names
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in fs::read_dir(path).expect("a readable folder") {
            rust_files(&entry.expect("a folder entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

/// Each top-level module of `src` (a file `x.rs` or a folder `x/`; not `lib.rs`, not the binaries in
/// `bin/`) with the other top-level modules it references.
fn module_graph(src: &Path) -> Graph {
    let mut modules = BTreeMap::new();
    for entry in fs::read_dir(src).expect("src/ is readable") {
        let path = entry.expect("a folder entry").path();
        let name = path.file_name().unwrap().to_string_lossy().trim_end_matches(".rs").to_owned();
        let is_module = path.is_dir() || path.extension().is_some_and(|e| e == "rs");
        if !is_module || name == "lib" || name == "main" || name == "bin" {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&path, &mut files);
        modules.insert(name, files);
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .into_iter()
        .map(|(name, files)| {
            let deps = files
                .iter()
                .flat_map(|f| referenced_modules(&fs::read_to_string(f).expect("a readable source file")))
                .filter(|d| names.contains(d) && *d != name)
                .collect();
            (name, deps)
        })
        .collect()
}

/// Every circle of the graph, each as the path that closes it (`a → b → a`), found by depth-first search.
fn circles(graph: &Graph) -> Vec<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_owned());
            found.push(circle);
            return;
        }
        if done.contains(node) {
            return;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done, found);
        }
        path.pop();
        done.insert(node.to_owned());
    }
    let (mut done, mut found) = (BTreeSet::new(), Vec::new());
    for node in graph.keys() {
        visit(node, graph, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

#[test]
fn no_top_level_module_imports_one_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    assert!(graph.len() > 10 && graph.contains_key("providers") && graph.contains_key("sandbox"), "{graph:?}");
    let found = circles(&graph);
    let shown: Vec<String> = found.iter().map(|c| c.join(" → ")).collect();
    assert!(found.is_empty(), "modules that import one another back:\n{}", shown.join("\n"));
}

#[test]
fn the_simulators_use_the_toolkit_and_the_engine_serves_them() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph["providers"].contains("simulator") && !graph["providers"].contains("sandbox"));
    assert!(graph["sandbox"].contains("providers") && graph["sandbox"].contains("simulator"));
    assert!(!graph["simulator"].contains("providers") && !graph["simulator"].contains("sandbox"));
}

#[test]
fn the_check_reads_grouped_imports_and_skips_comments() {
    let source = concat!(
        "use crate::{a::{b, c}, d};\n",
        "/// [`X`](crate::e::X)\n",
        "let u = \"http://x\"; crate::f::g(); // crate::h\n",
        "mycrate::i();",
    );
    assert_eq!(referenced_modules(source), ["a", "d", "f"].map(String::from).into());
    let graph: Graph = [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["a"])]
        .into_iter()
        .map(|(n, deps)| (n.to_owned(), deps.into_iter().map(String::from).collect()))
        .collect();
    assert_eq!(circles(&graph), [["a", "b", "c", "a"].map(String::from).to_vec()]);
}
