//! The dependency graph of one workspace and the questions findings ask of it: how is this package
//! reached, is it a direct dependency, which members pull it in, and as what kind of dependency.

use crate::finding::{DependencyInfo, DependencyKind};
use std::collections::VecDeque;

/// Which kinds of dependency an edge is. Lockfiles do not record kinds, so their edges are
/// [`EdgeKinds::UNKNOWN`] (every kind) until cargo metadata says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeKinds(u8);

impl EdgeKinds {
    pub const NORMAL: EdgeKinds = EdgeKinds(1);
    pub const BUILD: EdgeKinds = EdgeKinds(2);
    pub const DEV: EdgeKinds = EdgeKinds(4);
    pub const UNKNOWN: EdgeKinds = EdgeKinds(7);
    pub const NONE: EdgeKinds = EdgeKinds(0);

    pub fn union(self, other: EdgeKinds) -> EdgeKinds {
        EdgeKinds(self.0 | other.0)
    }

    fn intersects(self, other: EdgeKinds) -> bool {
        self.0 & other.0 != 0
    }
}

/// Sentinel parent of a root in a breadth-first search.
const ROOT: usize = usize::MAX;

/// Packages are indices into the workspace's package list.
#[derive(Debug)]
pub struct Graph {
    /// Who depends on each package: the reverse of the edges, for "who pulls this in".
    dependents: Vec<Vec<usize>>,
    roots: Vec<usize>,
    is_member: Vec<bool>,
    kinds_known: bool,
    /// Parent pointers of three searches from the roots: over normal edges, normal and build
    /// edges, and all edges. The first search that reaches a package gives its kind and its path.
    reach: [Vec<Option<usize>>; 3],
}

const TIERS: [(EdgeKinds, DependencyKind); 3] = [
    (EdgeKinds::NORMAL, DependencyKind::Normal),
    (EdgeKinds(1 | 2), DependencyKind::Build),
    (EdgeKinds::UNKNOWN, DependencyKind::Dev),
];

impl Graph {
    /// `roots` start every path; `members` are the packages a direct dependency hangs off.
    pub fn new(
        edges: Vec<Vec<(usize, EdgeKinds)>>,
        mut roots: Vec<usize>,
        members: Vec<usize>,
        kinds_known: bool,
    ) -> Graph {
        roots.sort_unstable();
        roots.dedup();
        let mut is_member = vec![false; edges.len()];
        for &member in members.iter().chain(&roots) {
            is_member[member] = true;
        }
        let reach = TIERS.map(|(allowed, _)| breadth_first(&edges, &roots, allowed));
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); edges.len()];
        for (from, deps) in edges.iter().enumerate() {
            for (to, _) in deps {
                dependents[*to].push(from);
            }
        }
        Graph {
            dependents,
            roots,
            is_member,
            kinds_known,
            reach,
        }
    }

    pub fn roots(&self) -> &[usize] {
        &self.roots
    }

    /// The strongest kind of dependency `target` is reached as, when cargo metadata said which
    /// kind each edge is; `None` from a lockfile alone or for a package no root reaches.
    pub fn dependency_kind(&self, target: usize) -> Option<DependencyKind> {
        let tier = self.tier(target)?;
        self.kinds_known.then_some(TIERS[tier].1)
    }

    /// How `target` is reached; `label` names a package as `name version`.
    pub fn dependency_info(
        &self,
        target: usize,
        label: impl Fn(usize) -> String,
    ) -> DependencyInfo {
        let tier = self.tier(target);
        let path = self.path(target).into_iter().map(&label).collect();
        let kind = match tier {
            Some(t) if self.kinds_known => Some(TIERS[t].1),
            _ => None,
        };
        let direct = self.dependents[target]
            .iter()
            .any(|&from| self.is_member[from] && from != target);
        let mut members: Vec<String> = self
            .roots_reaching(target)
            .into_iter()
            .map(|root| label(root).split(' ').next().unwrap_or_default().to_owned())
            .collect();
        members.sort();
        members.dedup();
        DependencyInfo {
            path,
            kind,
            direct,
            members,
        }
    }

    /// The first search (normal, then build, then all edges) that reaches `target`.
    fn tier(&self, target: usize) -> Option<usize> {
        (0..TIERS.len()).find(|&t| self.reach[t][target].is_some())
    }

    /// Packages from a root to `target`, by the strongest kind of edge that reaches it.
    pub fn path(&self, target: usize) -> Vec<usize> {
        let Some(t) = self.tier(target) else {
            return vec![target];
        };
        let mut steps = vec![target];
        let mut at = target;
        while let Some(Some(parent)) = self.reach[t].get(at) {
            if *parent == ROOT {
                break;
            }
            steps.push(*parent);
            at = *parent;
        }
        steps.reverse();
        steps
    }

    /// Roots from which `target` can be reached, found by walking the edges backwards.
    fn roots_reaching(&self, target: usize) -> Vec<usize> {
        let mut seen = vec![false; self.dependents.len()];
        let mut queue = VecDeque::from([target]);
        seen[target] = true;
        let mut found = Vec::new();
        while let Some(at) = queue.pop_front() {
            if self.roots.binary_search(&at).is_ok() {
                found.push(at);
            }
            for &from in &self.dependents[at] {
                if !seen[from] {
                    seen[from] = true;
                    queue.push_back(from);
                }
            }
        }
        found
    }
}

/// Breadth-first from all roots at once, following only edges of the allowed kinds. Roots are
/// visited in index order and edges in sorted order, so the path found is deterministic.
fn breadth_first(
    edges: &[Vec<(usize, EdgeKinds)>],
    roots: &[usize],
    allowed: EdgeKinds,
) -> Vec<Option<usize>> {
    let mut parent = vec![None; edges.len()];
    let mut queue = VecDeque::new();
    for &root in roots {
        parent[root] = Some(ROOT);
        queue.push_back(root);
    }
    while let Some(at) = queue.pop_front() {
        for &(to, kinds) in &edges[at] {
            if parent[to].is_none() && kinds.intersects(allowed) {
                parent[to] = Some(at);
                queue.push_back(to);
            }
        }
    }
    parent
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: EdgeKinds = EdgeKinds::NORMAL;
    const B: EdgeKinds = EdgeKinds::BUILD;
    const D: EdgeKinds = EdgeKinds::DEV;

    fn names(i: usize) -> String {
        [
            "app 0.1.0",
            "lib 0.1.0",
            "a 1.0.0",
            "b 1.0.0",
            "c 1.0.0",
            "d 1.0.0",
        ][i]
            .to_owned()
    }

    /// app -> lib (normal) -> a (normal) -> b (normal); app -> c (build) -> b; app -> d (dev).
    fn sample(kinds_known: bool) -> Graph {
        let mut edges = vec![
            vec![(1, N), (4, B), (5, D)],
            vec![(2, N)],
            vec![(3, N)],
            vec![],
            vec![(3, N)],
            vec![],
        ];
        if !kinds_known {
            // As read from a lockfile: every edge may be of any kind.
            for (_, kinds) in edges.iter_mut().flatten() {
                *kinds = EdgeKinds::UNKNOWN;
            }
        }
        Graph::new(edges, vec![0], vec![0, 1], kinds_known)
    }

    #[test]
    fn shortest_path_prefers_normal_edges() {
        let info = sample(true).dependency_info(3, names);
        assert_eq!(info.path, ["app 0.1.0", "lib 0.1.0", "a 1.0.0", "b 1.0.0"]);
        assert_eq!(info.kind, Some(DependencyKind::Normal));
        assert!(!info.direct);
        assert_eq!(info.members, ["app"]);
    }

    #[test]
    fn build_and_dev_kinds_follow_the_first_edge() {
        let graph = sample(true);
        assert_eq!(
            graph.dependency_info(4, names).kind,
            Some(DependencyKind::Build)
        );
        assert_eq!(
            graph.dependency_info(5, names).kind,
            Some(DependencyKind::Dev)
        );
        assert!(graph.dependency_info(5, names).direct);
    }

    #[test]
    fn dependency_of_a_path_member_is_direct() {
        assert!(sample(true).dependency_info(2, names).direct);
    }

    #[test]
    fn lockfile_only_graph_has_no_kind_and_takes_the_shortest_path() {
        let info = sample(false).dependency_info(3, names);
        assert_eq!(info.kind, None);
        assert_eq!(info.path, ["app 0.1.0", "c 1.0.0", "b 1.0.0"]);
    }
}
