"""Validate XML against the subset of XML Schema used by JUnit.xsd (no lxml/xmlschema needed).

Supported: global ``xs:element`` declarations referenced with ``ref``; ``type="xs:string"``
simple elements; ``xs:complexType`` (optionally ``mixed``) with one ``xs:sequence`` of element
refs carrying ``minOccurs``/``maxOccurs``; ``xs:attribute`` with ``use``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

XS = "{http://www.w3.org/2001/XMLSchema}"


@dataclass
class Decl:
    name: str
    simple: bool = False
    mixed: bool = False
    sequence: list[tuple[str, int, float]] = field(default_factory=list)  # (ref, min, max)
    attributes: dict[str, bool] = field(default_factory=dict)  # name -> required


def load(path: Path) -> dict[str, Decl]:
    root = ET.parse(path).getroot()
    decls: dict[str, Decl] = {}
    for el in root.findall(f"{XS}element"):
        decl = Decl(el.attrib["name"], simple=el.attrib.get("type") == "xs:string")
        ctype = el.find(f"{XS}complexType")
        if ctype is not None:
            decl.mixed = ctype.attrib.get("mixed") == "true"
            seq = ctype.find(f"{XS}sequence")
            for part in seq.findall(f"{XS}element") if seq is not None else []:
                high = part.attrib.get("maxOccurs", "1")
                decl.sequence.append((part.attrib["ref"], int(part.attrib.get("minOccurs", "1")),
                                      float("inf") if high == "unbounded" else int(high)))
            for attr in ctype.findall(f"{XS}attribute"):
                decl.attributes[attr.attrib["name"]] = attr.attrib.get("use") == "required"
        decls[decl.name] = decl
    return decls


def validate(element: ET.Element, decls: dict[str, Decl], path: str = "") -> list[str]:
    """Return a list of problems (empty when valid)."""
    where = f"{path}/{element.tag}"
    decl = decls.get(element.tag)
    if decl is None:
        return [f"{where}: element not declared"]
    errors: list[str] = []
    children = list(element)
    if decl.simple:
        if children or element.attrib:
            errors.append(f"{where}: simple string element has children or attributes")
        return errors
    for name in element.attrib:
        if name not in decl.attributes:
            errors.append(f"{where}: attribute {name!r} not allowed")
    errors += [f"{where}: missing required attribute {n!r}" for n, req in decl.attributes.items()
               if req and n not in element.attrib]
    texts = [element.text or ""] + [c.tail or "" for c in children]
    if not decl.mixed and any(t.strip() for t in texts):
        errors.append(f"{where}: text content not allowed")
    pos = 0
    for ref, low, high in decl.sequence:
        count = 0
        while pos < len(children) and children[pos].tag == ref and count < high:
            pos, count = pos + 1, count + 1
        if count < low:
            errors.append(f"{where}: expected at least {low} <{ref}>, found {count}")
    if pos < len(children):
        errors.append(f"{where}: unexpected <{children[pos].tag}> at position {pos}")
    for child in children:
        errors += validate(child, decls, where)
    return errors
