#!/usr/bin/env python3
"""gen_model.py: turn a botocore service-2 model into C data for src/core/model.h.

Usage: tools/gen_model.py [--merge-missing-from MODEL2.json[.gz]] MODEL.json[.gz] SYMBOL OUT.c

Writes OUT.c defining `const struct model SYMBOL`: every operation (sorted by name in strcmp
order, so model_find_op can bsearch) and every shape reachable from the operations' inputs,
outputs and errors, as static const arrays. Member traits are resolved the way botocore's
serializers resolve them (wire names, flattened, location, required, payload). The output is
deterministic and committed; the daemon itself never runs Python. Standard library only.

--merge-missing-from adds the operations MODEL2 has and MODEL lacks, with the shapes they
reach; where both models define a shape of the same name, MODEL's is kept. This is how the
query-era SQS model (the wire Debian's aws-cli speaks, which predates the message move tasks)
gets StartMessageMoveTask & co. from botocore's newer JSON-protocol model. A JSON model drops
the query wire's conventions, so merged operations get them back the way MODEL itself uses
them (checked against MODEL first): the output resultWrapper "<Operation>Result", and
flattened lists of structures whose elements are named after the entry shape.
"""

import gzip
import json
import os
import re
import sys

TYPES = {
    "structure": "SHAPE_STRUCTURE",
    "list": "SHAPE_LIST",
    "map": "SHAPE_MAP",
    "string": "SHAPE_STRING",
    "integer": "SHAPE_INTEGER",
    "long": "SHAPE_LONG",
    "float": "SHAPE_FLOAT",
    "double": "SHAPE_DOUBLE",
    "boolean": "SHAPE_BOOLEAN",
    "timestamp": "SHAPE_TIMESTAMP",
    "blob": "SHAPE_BLOB",
}

LOCATIONS = {
    None: "LOC_BODY",
    "uri": "LOC_URI",
    "querystring": "LOC_QUERYSTRING",
    "header": "LOC_HEADER",
    "headers": "LOC_HEADERS",
    "statusCode": "LOC_STATUS",
}


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def c_str(s):
    """A C string literal for s, or NULL."""
    if s is None:
        return "NULL"
    out = []
    for ch in s:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            # Octal escapes of the UTF-8 bytes: hex escapes would swallow following hex digits.
            out.extend("\\%03o" % b for b in ch.encode("utf-8"))
    return '"' + "".join(out) + '"'


def initializer(items, indent="    ", close="},", head=None):
    """`{a, b, c},` as C lines of at most 100 columns (a long string literal may pass).
    With head, the first line is `head {` and continuation lines are indented by 4."""
    lines = []
    cur = (head + " {") if head else (indent + "{")
    cont = "    " if head else indent + " "
    for i, item in enumerate(items):
        piece = item + (close if i == len(items) - 1 else ",")
        if not cur.endswith("{") and len(cur) + 1 + len(piece) > 100:
            lines.append(cur)
            cur = cont + piece
        else:
            cur += ("" if cur.endswith("{") else " ") + piece
    lines.append(cur)
    return "\n".join(lines)


def c_ident(name, taken):
    """A C identifier fragment for a shape name, unique among those already taken."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", name)
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = "%s_%d" % (base, n)
    taken.add(ident)
    return ident


def reachable_shapes(model):
    """Names of the shapes reachable from operations, in the model's own order."""
    shapes = model["shapes"]
    seen = set()
    stack = []
    for op in model["operations"].values():
        for ref in [op.get("input"), op.get("output")] + op.get("errors", []):
            if ref:
                stack.append(ref["shape"])
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        for mem in shape.get("members", {}).values():
            stack.append(mem["shape"])
        for key in ("member", "key", "value"):
            if key in shape:
                stack.append(shape[key]["shape"])
    return [n for n in shapes if n in seen]


def wire_name(ref, protocol, target=None):
    """The serialized name of a member reference, as botocore picks it: botocore merges the
    member's traits over the target shape's, so a locationName on the shape itself (SQS's
    TagMap carries "Tag") applies when the member sets none."""
    for src in (ref, target or {}):
        if protocol in ("query", "ec2") and "queryName" in src:
            return src["queryName"]
        if "locationName" in src:
            return src["locationName"]
    return None


def member_row(name, ref, shapes, idents, protocol, required=(), payload=None):
    target = shapes[ref["shape"]]
    flags = []
    if ref.get("flattened") or target.get("flattened"):
        flags.append("MEMBER_FLATTENED")
    if name in required:
        flags.append("MEMBER_REQUIRED")
    if payload is not None and name == payload:
        flags.append("MEMBER_PAYLOAD")
    if ref.get("xmlAttribute"):
        flags.append("MEMBER_XMLATTR")
    if ref.get("jsonvalue"):
        flags.append("MEMBER_JSONVALUE")
    location = ref.get("location")
    if location not in LOCATIONS:
        raise SystemExit("unknown location %r on member %s" % (location, name))
    return initializer([c_str(name), c_str(wire_name(ref, protocol, target)),
                        "&s_" + idents[ref["shape"]], LOCATIONS[location],
                        " | ".join(flags) or "0"])


def strip_docs(value):
    """A shape or reference without its documentation strings (for comparing two models)."""
    if isinstance(value, dict):
        return {k: strip_docs(v) for k, v in value.items() if k != "documentation"}
    return value


def query_conventions(model):
    """Check that MODEL follows the query conventions merged operations are given."""
    shapes = model["shapes"]
    for name, op in model["operations"].items():
        out = op.get("output")
        if out and out.get("resultWrapper") != name + "Result":
            raise SystemExit("%s: resultWrapper %r breaks the <Operation>Result convention"
                             % (name, out.get("resultWrapper")))
    for name, shape in shapes.items():
        if shape["type"] != "list" or not shape.get("flattened"):
            continue
        mem = shape["member"]
        if shapes[mem["shape"]]["type"] == "structure" and mem.get("locationName") != mem["shape"]:
            raise SystemExit("%s: flattened list element %r is not named after its shape %s"
                             % (name, mem.get("locationName"), mem["shape"]))


def merge_missing(model, other):
    """Add to model the operations other has and model lacks, with their shapes (model's own
    shape wins a name both define). Returns the sorted names of the operations added and the
    number of shapes added."""
    shapes, oshapes = model["shapes"], other["shapes"]
    query = model["metadata"]["protocol"] in ("query", "ec2")
    was_sorted = list(shapes) == sorted(shapes)
    if query:
        query_conventions(model)
    added = sorted((n for n in other["operations"] if n not in model["operations"]),
                   key=lambda s: s.encode("utf-8"))
    stack = []
    for name in added:
        op = json.loads(json.dumps(other["operations"][name]))
        if query and op.get("output"):
            op["output"].setdefault("resultWrapper", name + "Result")
        model["operations"][name] = op
        for ref in [op.get("input"), op.get("output")] + op.get("errors", []):
            if ref:
                stack.append(ref["shape"])
    new, seen = [], set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in shapes:
            if strip_docs(shapes[name]) != strip_docs(oshapes[name]):
                sys.stderr.write("gen_model: keeping the first model's shape %s\n" % name)
            continue  # the first model's shape, and what it reaches, stays as it is
        shape = json.loads(json.dumps(oshapes[name]))
        shapes[name] = shape
        new.append(name)
        for mem in shape.get("members", {}).values():
            stack.append(mem["shape"])
        for key in ("member", "key", "value"):
            if key in shape:
                stack.append(shape[key]["shape"])
    if was_sorted:
        model["shapes"] = shapes = dict(sorted(shapes.items()))  # keep a sorted model sorted
    if query:
        for name in new:
            shape = shapes[name]
            if shape["type"] != "list" or "locationName" in shape["member"]:
                continue
            flat = shape.get("flattened") or any(
                ref.get("flattened") and ref["shape"] == name
                for s in shapes.values() for ref in s.get("members", {}).values())
            if not flat:
                continue
            if shapes[shape["member"]["shape"]]["type"] != "structure":
                raise SystemExit("%s: cannot name the elements of a flattened list of %s"
                                 % (name, shape["member"]["shape"]))
            shape["member"]["locationName"] = shape["member"]["shape"]
    return added, len(new)


def describe_source(path):
    """'<svc>/<version>/service-2.json' plus where the data directory came from."""
    parts = os.path.abspath(path).split(os.sep)
    rel = "/".join(parts[-3:])
    origin = "botocore"
    if "awscli" in parts:
        origin = "aws-cli's bundled botocore"
    init = os.path.join(os.sep.join(parts[:-4]), "__init__.py")
    try:
        with open(init, encoding="utf-8") as f:
            m = re.search(r"^__version__ = ['\"]([^'\"]+)['\"]", f.read(), re.M)
        if m:
            origin += " " + m.group(1)
    except OSError:
        pass
    return rel, origin


def generate(model_path, symbol, out_path, merge_path=None):
    model = load(model_path)
    added, n_added = [], 0
    if merge_path:
        added, n_added = merge_missing(model, load(merge_path))
    meta = model["metadata"]
    protocol = meta["protocol"]
    shapes = model["shapes"]
    names = reachable_shapes(model)
    taken = set()
    idents = {n: c_ident(n, taken) for n in names}
    rel, origin = describe_source(model_path)
    stem = os.path.basename(out_path)

    out = []
    w = out.append
    w("/* %s: GENERATED by tools/gen_model.py - do not edit." % stem)
    w(" *")
    w(" * Source: %s from %s." % (rel, origin))
    if merge_path:
        mrel, morigin = describe_source(merge_path)
        w(" * Merged in: the %d operations it lacks and the %d shapes they add, from"
          % (len(added), n_added))
        w(" * %s of %s (protocol %s)," % (mrel, morigin, load(merge_path)["metadata"]["protocol"]))
        w(" * given the query conventions of the first (resultWrapper, flattened element names):")
        for i in range(0, len(added), 3):
            w(" *   %s%s" % (", ".join(added[i:i + 3]), "." if i + 3 >= len(added) else ","))
    w(" * Service %s, protocol %s, API version %s: %d operations, %d shapes."
      % (meta["endpointPrefix"], protocol, meta["apiVersion"], len(model["operations"]),
         len(names)))
    w(" * Regenerate with tools/gen_models.sh, which runs")
    if merge_path:
        w(" *   tools/gen_model.py --merge-missing-from .../%s \\" % mrel)
        w(" *       .../%s \\" % rel)
    else:
        w(" *   tools/gen_model.py .../%s \\" % rel)
    w(" *       %s %s" % (symbol, out_path))
    w(" * See core/model.h for what the fields mean. */")
    w('#include "core/model.h"')
    w('#include "services/models.h"')
    w("")
    w("#include <stddef.h>")
    w("")
    # Shapes refer to each other (recursively, in some models), so declare them all first.
    for n in names:
        w("static const struct model_shape s_%s;" % idents[n])
    w("")

    for n in names:
        shape = shapes[n]
        rows = []
        if shape["type"] == "structure":
            required = set(shape.get("required", []))
            for mname, ref in shape.get("members", {}).items():
                rows.append(member_row(mname, ref, shapes, idents, protocol, required,
                                       shape.get("payload")))
        elif shape["type"] == "list":
            rows.append(member_row("member", shape["member"], shapes, idents, protocol))
        elif shape["type"] == "map":
            rows.append(member_row("key", shape["key"], shapes, idents, protocol))
            rows.append(member_row("value", shape["value"], shapes, idents, protocol))
        if rows:
            w("static const struct model_member m_%s[] = {" % idents[n])
            out.extend(rows)
            w("};")
    w("")

    for n in names:
        shape = shapes[n]
        if shape["type"] not in TYPES:
            raise SystemExit("unknown type %r of shape %s" % (shape["type"], n))
        flags = []
        if shape.get("flattened"):
            flags.append("SHAPE_F_FLATTENED")
        if shape.get("exception"):
            flags.append("SHAPE_F_EXCEPTION")
        n_members = {"structure": len(shape.get("members", {})), "list": 1, "map": 2}.get(
            shape["type"], 0)
        err = shape.get("error", {})
        w(initializer([c_str(n), TYPES[shape["type"]], " | ".join(flags) or "0", str(n_members),
                       ("m_" + idents[n]) if n_members else "NULL",
                       c_str(shape.get("timestampFormat")), c_str(err.get("code")),
                       str(int(err.get("httpStatusCode", 0)))], close="};",
                      head="static const struct model_shape s_%s =" % idents[n]))
    w("")

    op_names = sorted(model["operations"], key=lambda s: s.encode("utf-8"))
    w("static const struct model_op %s_ops[] = {" % symbol)
    for name in op_names:
        op = model["operations"][name]
        http = op.get("http", {})
        inp, outp = op.get("input"), op.get("output")
        w(initializer([c_str(name), c_str(http.get("method")), c_str(http.get("requestUri")),
                       ("&s_" + idents[inp["shape"]]) if inp else "NULL",
                       ("&s_" + idents[outp["shape"]]) if outp else "NULL",
                       c_str(outp.get("resultWrapper") if outp else None),
                       str(int(http.get("responseCode", 0)))]))
    w("};")
    w("")
    # model.h has no place for errors, so they get their own exported table (services/models.h);
    # it also keeps the otherwise unreferenced static error shapes used.
    errors = sorted({e["shape"] for op in model["operations"].values()
                     for e in op.get("errors", [])}, key=lambda s: s.encode("utf-8"))
    w("/* Every error shape the operations declare, sorted by name; NULL-terminated. */")
    w("const struct model_shape *const %s_errors[] = {" % symbol)
    for e in errors:
        w("    &s_%s," % idents[e])
    w("    NULL,")
    w("};")
    w("")
    w("const struct model %s = {" % symbol)
    w("    .service = %s," % c_str(meta["endpointPrefix"]))
    w("    .protocol = %s," % c_str(protocol))
    w("    .api_version = %s," % c_str(meta["apiVersion"]))
    w("    .xml_namespace = %s," % c_str(meta.get("xmlNamespace")))
    w("    .ops = %s_ops," % symbol)
    w("    .n_ops = sizeof(%s_ops) / sizeof(%s_ops[0])," % (symbol, symbol))
    w("};")

    text = "\n".join(out) + "\n"
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv):
    merge = None
    args = argv[1:]
    if len(args) >= 2 and args[0] == "--merge-missing-from":
        merge, args = args[1], args[2:]
    if len(args) != 3:
        sys.stderr.write("usage: %s [--merge-missing-from MODEL2.json[.gz]] MODEL.json[.gz] "
                         "SYMBOL OUT.c\n" % argv[0])
        return 2
    generate(args[0], args[1], args[2], merge)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
