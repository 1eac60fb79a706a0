//! The code pass over a parsed Rust file: which parts of the tree the rules see, and the syntax
//! context each is in (item, function, block, statement, match arm, struct-literal field, macro
//! body, test code). The rules' state and hooks are `scan.rs`; a rule that needs a new context
//! gets its hook called from here.
//!
//! What is read: items, statements and expressions; of a `const`, `static` or `let`, the value;
//! of a closure, its body; macro bodies that parse as expressions and either build a string (they
//! hold a string literal: `format!`, `write!`) or mention a name a rule watches. Not read:
//! attributes, types and patterns, which hold no code the rules look for.

use super::context::Declared;
use super::scan::CodeScan;
use super::syntax::{pattern_words, FunctionInfo};
use crate::source::{has_string_literal, is_name_macro, is_test_attribute, macro_name, RustFile};
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Macro};

/// Runs the rules over one parsed file; `in_test_path`: the whole file is test code.
pub fn walk<'s>(file: &RustFile, mut code: CodeScan<'s>, in_test_path: bool) -> CodeScan<'s> {
    code.in_test = in_test_path;
    let mut walker = Walker {
        file,
        code,
        test_depth: usize::from(in_test_path),
        in_trait_impl: false,
    };
    walker.visit_file(&file.syntax);
    walker.code
}

struct Walker<'f, 's> {
    file: &'f RustFile,
    code: CodeScan<'s>,
    test_depth: usize,
    /// Inside `impl Trait for Type`: its methods are public wherever the trait is.
    in_trait_impl: bool,
}

impl Walker<'_, '_> {
    fn in_test<T>(&mut self, attrs: &[Attribute], visit: impl FnOnce(&mut Self) -> T) -> T {
        let test = attrs.iter().any(is_test_attribute);
        self.test_depth += usize::from(test);
        self.code.in_test = self.test_depth > 0;
        let result = visit(self);
        self.test_depth -= usize::from(test);
        self.code.in_test = self.test_depth > 0;
        result
    }

    /// An argument or field: the type of the value built there is not written where it is.
    fn unknown_type(&mut self, visit: impl FnOnce(&mut Self)) {
        self.code.around.declared.push(Declared::Unknown);
        visit(self);
        self.code.around.declared.pop();
    }

    /// A macro body is read as expressions when it parses as them and may matter: it builds a
    /// string, or mentions a name the rules watch. No statement's SAFETY comment reaches inside.
    fn macro_call(&mut self, mac: &Macro) {
        self.code.macro_call(mac);
        let saved = self.code.boundary(false);
        let read = if is_name_macro(&macro_name(mac)) || !has_string_literal(&mac.tokens) {
            self.code.interested_in(&mac.tokens)
        } else {
            true
        };
        if read {
            let parsed = self.file.macro_args(mac);
            if let Some(args) = parsed.as_ref() {
                for arg in args {
                    self.visit_expr(arg);
                }
            }
        }
        self.code.restore(saved);
    }
}

impl<'ast> Visit<'ast> for Walker<'_, '_> {
    fn visit_attribute(&mut self, _: &'ast Attribute) {}

    fn visit_file(&mut self, file: &'ast syn::File) {
        self.code.enter_file(file);
        visit::visit_file(self, file);
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.code.enter_item(item);
        visit::visit_item(self, item);
        self.code.exit_item(item);
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let pushed = self.code.enter_block(block);
        visit::visit_block(self, block);
        self.code.exit_block(pushed);
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        let saved = self.code.enter_statement(stmt);
        visit::visit_stmt(self, stmt);
        self.code.exit_statement(saved);
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        let saved = self.code.boundary(true);
        self.code.around.arms.push(pattern_words(&arm.pat));
        visit::visit_arm(self, arm);
        self.code.around.arms.pop();
        self.code.restore(saved);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.code.enter_function(FunctionInfo::of(
            &item.attrs,
            &syn::Visibility::Inherited,
            &item.sig,
        ));
        self.in_test(&item.attrs, |v| visit::visit_trait_item_fn(v, item));
        self.code.exit_function();
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.in_test(&item.attrs, |v| visit::visit_item_mod(v, item));
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.in_test(&item.attrs, |v| visit::visit_item_fn(v, item));
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let mut info = FunctionInfo::of(&item.attrs, &item.vis, &item.sig);
        // A trait's method is as callable as the trait: `impl From<&[u8]> for T { fn from }`.
        info.is_public |= self.in_trait_impl;
        self.code.enter_function(info);
        self.in_test(&item.attrs, |v| visit::visit_impl_item_fn(v, item));
        self.code.exit_function();
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let outer = std::mem::replace(&mut self.in_trait_impl, item.trait_.is_some());
        self.in_test(&item.attrs, |v| visit::visit_item_impl(v, item));
        self.in_trait_impl = outer;
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.in_test(&item.attrs, |v| v.visit_expr(&item.expr));
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.in_test(&item.attrs, |v| v.visit_expr(&item.expr));
    }

    fn visit_impl_item_const(&mut self, item: &'ast syn::ImplItemConst) {
        self.visit_expr(&item.expr);
    }

    fn visit_trait_item_const(&mut self, item: &'ast syn::TraitItemConst) {
        if let Some((_, expr)) = &item.default {
            self.visit_expr(expr);
        }
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let Some(init) = &local.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
        }
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        self.macro_call(mac);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        let saved = self.code.enter_expr(expr);
        match expr {
            Expr::Lit(_) => {}
            Expr::Reference(r) => self.visit_expr(&r.expr),
            Expr::Paren(p) => self.visit_expr(&p.expr),
            Expr::Group(g) => self.visit_expr(&g.expr),
            Expr::Cast(c) => self.visit_expr(&c.expr),
            Expr::Array(array) => {
                for element in &array.elems {
                    self.visit_expr(element);
                }
            }
            Expr::Tuple(tuple) if tuple.elems.len() == 2 => {
                self.visit_expr(&tuple.elems[0]);
                self.visit_expr(&tuple.elems[1]);
            }
            Expr::Struct(s) => {
                self.visit_path(&s.path);
                for field in &s.fields {
                    // A field is its own chain for SAFETY comments above statements.
                    let saved = self.code.boundary(true);
                    self.unknown_type(|v| v.visit_expr(&field.expr));
                    self.code.restore(saved);
                }
                if let Some(rest) = &s.rest {
                    self.visit_expr(rest);
                }
            }
            Expr::Assign(assign) => {
                self.visit_expr(&assign.left);
                self.visit_expr(&assign.right);
            }
            Expr::MethodCall(call) => {
                self.visit_expr(&call.receiver);
                for arg in &call.args {
                    self.unknown_type(|v| v.visit_expr(arg));
                }
            }
            Expr::Call(call) => {
                self.visit_expr(&call.func);
                for arg in &call.args {
                    self.unknown_type(|v| v.visit_expr(arg));
                }
            }
            Expr::Macro(mac) => self.macro_call(&mac.mac),
            Expr::Closure(closure) => self.visit_expr(&closure.body),
            Expr::If(branch) => {
                self.visit_expr(&branch.cond);
                // The condition runs first: what it uses is used before either branch.
                self.code.around.used(&branch.cond);
                // Both branches depend on the condition: what it names guards them.
                self.code.guards.push(super::syntax::idents(&branch.cond));
                self.visit_block(&branch.then_branch);
                if let Some((_, otherwise)) = &branch.else_branch {
                    self.visit_expr(otherwise);
                }
                self.code.guards.pop();
            }
            Expr::Match(m) => {
                self.visit_expr(&m.expr);
                self.code.around.used(&m.expr);
                for arm in &m.arms {
                    self.visit_arm(arm);
                }
            }
            _ => visit::visit_expr(self, expr),
        }
        self.code.exit_expr(expr, saved);
    }
}
