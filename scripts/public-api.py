#!/usr/bin/env python3
"""Reduces rustdoc's JSON of this crate to its public API: one line per public item
(module, type, field, variant, function with its signature, trait implementation), with
the attributes that matter for semver (`#[non_exhaustive]`), sorted.

Usage: public-api.py target/doc/turso_platform.json > public-api.txt

Local types are named by their public path; types of other crates by their crate and
name (`reqwest::Client`); so a line changes when, and only when, what a user can name or
call changes.
"""

import json
import sys


def main(path):
    doc = json.load(open(path))
    index, paths = doc["index"], doc["paths"]
    public = {}  # local item id -> its public path

    def item(i):
        return index.get(str(i))

    def discover(module_id, prefix):
        module = item(module_id)
        for child_id in module["inner"]["module"]["items"]:
            child = item(child_id)
            if child is None or child["visibility"] != "public":
                continue
            kind, inner = next(iter(child["inner"].items()))
            if kind == "use":
                target = inner["id"]
                name = inner["name"]
                if target is not None and item(target) is not None:
                    shortest(target, f"{prefix}::{name}")
                    if "module" in item(target)["inner"]:
                        discover(target, f"{prefix}::{name}")
                continue
            shortest(child_id, f"{prefix}::{child['name']}")
            if kind == "module":
                discover(child_id, f"{prefix}::{child['name']}")

    def shortest(i, path):
        """An item reachable by several paths is named by its shortest."""
        known = public.get(i)
        if known is None or (len(path), path) < (len(known), known):
            public[i] = path

    root = doc["root"]
    crate = item(root)["name"]
    public[root] = crate
    discover(root, crate)

    def name_of(i, written):
        if i in public:
            return public[i]
        known = paths.get(str(i))
        if known and known["crate_id"] != 0:
            return f"{known['path'][0]}::{known['path'][-1]}"
        return written.split("::")[-1]

    def args(a):
        if not a:
            return ""
        if "angle_bracketed" in a:
            parts = []
            for arg in a["angle_bracketed"]["args"]:
                if "type" in arg:
                    parts.append(ty(arg["type"]))
                elif "lifetime" in arg:
                    parts.append(arg["lifetime"])
                elif "const" in arg:
                    parts.append(str(arg["const"].get("expr", "_")))
                else:
                    parts.append("_")
            for c in a["angle_bracketed"].get("constraints", []):
                binding = c.get("binding", {})
                if "equality" in binding:
                    value = binding["equality"]
                    parts.append(f"{c['name']} = {ty(value['type']) if 'type' in value else '_'}")
                elif "constraint" in binding:
                    parts.append(f"{c['name']}: {bounds(binding['constraint'])}")
            return f"<{', '.join(parts)}>" if parts else ""
        if "parenthesized" in a:
            p = a["parenthesized"]
            out = f"({', '.join(ty(t) for t in p['inputs'])})"
            return out + (f" -> {ty(p['output'])}" if p.get("output") else "")
        return ""

    def path_of(p):
        return name_of(p["id"], p["path"]) + args(p.get("args"))

    def bounds(bs):
        out = []
        for b in bs:
            if "trait_bound" in b:
                t = b["trait_bound"]
                prefix = "?" if t.get("modifier") == "maybe" else ""
                out.append(prefix + path_of(t["trait"]))
            elif "outlives" in b:
                out.append(b["outlives"])
            else:
                out.append("_")
        return " + ".join(out)

    def ty(t):
        if t is None:
            return "()"
        kind, v = next(iter(t.items())) if isinstance(t, dict) else (t, None)
        if kind == "resolved_path":
            return path_of(v)
        if kind == "generic":
            return v
        if kind == "primitive":
            return v
        if kind == "borrowed_ref":
            life = f"{v['lifetime']} " if v.get("lifetime") else ""
            mutable = "mut " if v.get("is_mutable") else ""
            return f"&{life}{mutable}{ty(v['type'])}"
        if kind == "raw_pointer":
            return f"*{'mut' if v['is_mutable'] else 'const'} {ty(v['type'])}"
        if kind == "impl_trait":
            return f"impl {bounds(v)}"
        if kind == "dyn_trait":
            traits = [path_of(p["trait"]) for p in v["traits"]]
            if v.get("lifetime"):
                traits.append(v["lifetime"])
            return f"dyn {' + '.join(traits)}"
        if kind == "tuple":
            return f"({', '.join(ty(x) for x in v)})"
        if kind == "slice":
            return f"[{ty(v)}]"
        if kind == "array":
            return f"[{ty(v['type'])}; {v['len']}]"
        if kind == "qualified_path":
            trait = path_of(v["trait"]) if v.get("trait") else "_"
            return f"<{ty(v['self_type'])} as {trait}>::{v['name']}"
        if kind == "function_pointer":
            sig = v["sig"]
            out = f"fn({', '.join(ty(x[1]) for x in sig['inputs'])})"
            return out + (f" -> {ty(sig['output'])}" if sig.get("output") else "")
        if kind == "infer":
            return "_"
        return kind

    def generics(g):
        params = []
        for p in g.get("params", []):
            kind = p["kind"]
            if "type" in kind:
                if kind["type"].get("is_synthetic"):
                    continue
                b = bounds(kind["type"]["bounds"])
                params.append(p["name"] + (f": {b}" if b else ""))
            elif "lifetime" in kind:
                params.append(p["name"])
            elif "const" in kind:
                params.append(f"const {p['name']}: {ty(kind['const']['type'])}")
        return f"<{', '.join(params)}>" if params else ""

    def where(g):
        preds = []
        for w in g.get("where_predicates", []):
            if "bound_predicate" in w:
                bp = w["bound_predicate"]
                preds.append(f"{ty(bp['type'])}: {bounds(bp['bounds'])}")
        return f" where {', '.join(preds)}" if preds else ""

    def function(path, f):
        header = f["header"]
        quals = ("const " if header["is_const"] else "") + ("async " if header["is_async"] else "")
        quals += "unsafe " if header["is_unsafe"] else ""
        inputs = []
        for name, t in f["sig"]["inputs"]:
            if name == "self":
                rendered = ty(t)
                inputs.append({"Self": "self", "&Self": "&self", "&mut Self": "&mut self"}.get(rendered, f"self: {rendered}"))
            else:
                inputs.append(f"{name}: {ty(t)}")
        out = f" -> {ty(f['sig']['output'])}" if f["sig"].get("output") else ""
        return f"pub {quals}fn {path}{generics(f['generics'])}({', '.join(inputs)}){out}{where(f['generics'])}"

    def attrs(it):
        shown = []
        for a in it.get("attrs", []):
            text = a if isinstance(a, str) else json.dumps(a)
            if "non_exhaustive" in text:
                shown.append("#[non_exhaustive]")
        return (" " + " ".join(shown)) if shown else ""

    lines = set()

    def impls(type_path, impl_ids):
        for impl_id in impl_ids:
            impl = item(impl_id)
            if impl is None:
                continue
            inner = impl["inner"]["impl"]
            if inner.get("blanket_impl") is not None:
                continue
            if inner["trait"] is None:
                for member_id in inner["items"]:
                    member = item(member_id)
                    if member is None or member["visibility"] != "public":
                        continue
                    render(member_id, f"{type_path}::{member['name']}")
            else:
                negative = "!" if inner.get("is_negative") else ""
                if inner["trait"]["path"].endswith("Freeze"):
                    continue  # an unstable auto trait rustdoc reports
                g = generics(inner["generics"])
                lines.add(f"impl{g} {negative}{path_of(inner['trait'])} for {ty(inner['for'])}{where(inner['generics'])}")

    def render(i, path):
        it = item(i)
        kind, inner = next(iter(it["inner"].items()))
        if kind == "module":
            lines.add(f"pub mod {path}")
        elif kind == "struct":
            lines.add(f"pub struct {path}{generics(inner['generics'])}{attrs(it)}")
            struct_kind = inner["kind"]
            fields = struct_kind.get("plain", {}).get("fields", []) or [
                f for f in (struct_kind.get("tuple") or []) if f is not None
            ]
            for field_id in fields:
                field = item(field_id)
                if field and field["visibility"] == "public":
                    lines.add(f"pub {path}::{field['name']}: {ty(field['inner']['struct_field'])}")
            impls(path, inner["impls"])
        elif kind == "enum":
            lines.add(f"pub enum {path}{generics(inner['generics'])}{attrs(it)}")
            for variant_id in inner["variants"]:
                variant = item(variant_id)
                vk = variant["inner"]["variant"]["kind"]
                if vk == "plain":
                    shape = ""
                elif "tuple" in vk:
                    shape = "(" + ", ".join(ty(item(f)["inner"]["struct_field"]) for f in vk["tuple"] if f is not None) + ")"
                else:
                    shape = " { " + ", ".join(
                        f"{item(f)['name']}: {ty(item(f)['inner']['struct_field'])}" for f in vk["struct"]["fields"]
                    ) + " }"
                lines.add(f"{path}::{variant['name']}{shape}{attrs(variant)}")
            impls(path, inner["impls"])
        elif kind == "function":
            lines.add(function(path, inner))
        elif kind == "trait":
            lines.add(f"pub trait {path}{generics(inner['generics'])}")
            for member_id in inner["items"]:
                member = item(member_id)
                if member and "function" in member["inner"]:
                    lines.add(function(f"{path}::{member['name']}", member["inner"]["function"]))
        elif kind == "constant":
            lines.add(f"pub const {path}: {ty(inner['type'])}")
        elif kind == "assoc_const":
            lines.add(f"pub const {path}: {ty(inner['type'])}")
        elif kind == "static":
            lines.add(f"pub static {path}: {ty(inner['type'])}")
        elif kind == "type_alias":
            lines.add(f"pub type {path}{generics(inner['generics'])} = {ty(inner['type'])}")
        else:
            lines.add(f"pub {kind} {path}")

    def walk(module_id, prefix):
        for child_id in item(module_id)["inner"]["module"]["items"]:
            child = item(child_id)
            if child is None or child["visibility"] != "public":
                continue
            kind, inner = next(iter(child["inner"].items()))
            if kind == "use":
                target = inner["id"]
                name = inner["name"]
                if target is None or item(target) is None:
                    lines.add(f"pub use {prefix}::{name} = {inner['source']}")
                    continue
                path = f"{prefix}::{name}"
                if public.get(target) != path:
                    # Shown once, where its path is shortest.
                    lines.add(f"pub use {path} = {public[target]}")
                elif "module" in item(target)["inner"]:
                    lines.add(f"pub mod {path}")
                    walk(target, path)
                else:
                    render(target, path)
                continue
            path = f"{prefix}::{child['name']}"
            if public.get(child_id) != path:
                lines.add(f"pub use {path} = {public[child_id]}")
                continue
            render(child_id, path)
            if kind == "module":
                walk(child_id, path)

    walk(root, crate)
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main(sys.argv[1])
