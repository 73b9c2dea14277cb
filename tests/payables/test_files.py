"""The checks every file passes before billpay stores it: platform limits, real bytes, clean names."""

from __future__ import annotations

import re

import pytest

from payables.errors import FileRefused
from payables.files import MB, check_file, clean_filename, limits_for
from tests.payables.pdfs import PNG_1PX, make_pdf

XERO = limits_for("gbol")
QUICKBOOKS = limits_for("qhyg")


def check(name: str, head: bytes, size: int | None = None, limits=XERO):
    return check_file(name=name, size=len(head) if size is None else size, head=head, limits=limits)


@pytest.mark.parametrize(
    ("name", "head", "content_type"),
    [
        ("a.pdf", make_pdf(["x"]), "application/pdf"),
        ("a.PNG", PNG_1PX, "image/png"),
        ("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        ("a.gif", b"GIF89a\x01\x00", "image/gif"),
        (
            "a.docx",
            b"PK\x03\x04\x14\x00",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/vnd.ms-excel"),
        ("a.csv", b"date,amount\n2026-01-01,10\n", "text/csv"),
        ("a.txt", "thé".encode(), "text/plain"),
        ("a.tiff", b"II*\x00\x08\x00", "image/tiff"),
    ],
)
def test_real_files_pass_with_the_type_from_their_extension(
    name: str, head: bytes, content_type: str
) -> None:
    checked = check(name, head)
    assert checked.content_type == content_type
    assert checked.name == name


@pytest.mark.parametrize(
    ("name", "head", "message"),
    [
        ("a.pdf", b"MZ\x90\x00", "not a real .pdf"),
        ("a.txt", b"\x7fELF\x02\x01", "not a real .txt"),
        ("a.csv", b"a,b\x00c", "not a real .csv"),
        ("a.docx", b"%PDF-1.4", "not a real .docx"),
        ("a.jpg", PNG_1PX, "not a real .jpg"),
        ("a.zip", b"#!/bin/sh\n", "not a real .zip"),
        ("a.exe", b"MZ", "Xero does not take .exe files"),
        ("a.html", b"<html>", "Xero does not take .html files"),
        ("noextension", b"hello", "Xero does not take a file without an extension files"),
    ],
)
def test_spoofed_or_unsupported_files_are_refused(name: str, head: bytes, message: str) -> None:
    with pytest.raises(FileRefused, match=re.escape(message)):
        check(name, head)


def test_size_limits_are_the_platforms() -> None:
    pdf = make_pdf(["x"])
    check("a.pdf", pdf, size=4 * MB)
    with pytest.raises(FileRefused, match=r"4.0 MB; Xero takes files up to 4 MB"):
        check("a.pdf", pdf, size=4 * MB + 1)
    check("a.pdf", pdf, size=50 * MB, limits=QUICKBOOKS)
    with pytest.raises(FileRefused, match="is empty"):
        check("a.pdf", b"", size=0)


def test_each_platform_has_its_own_extension_list() -> None:
    assert XERO.platform == "Xero"
    assert QUICKBOOKS.platform == "QuickBooks Online"
    assert limits_for("ndsk") == QUICKBOOKS  # QuickBooks Online's sandbox companies
    assert limits_for("zzzz") == XERO  # a key Codat may add later
    check("a.zip", b"PK\x03\x04")
    with pytest.raises(FileRefused, match=re.escape("QuickBooks Online does not take .zip files")):
        check("a.zip", b"PK\x03\x04", limits=QUICKBOOKS)
    check("a.xml", b"<?xml version='1.0'?>", limits=QUICKBOOKS)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("invoice.pdf", "invoice.pdf"),
        ("in\x00vo\x07ice\u202e.pdf", "invoice.pdf"),
        ("  ..hidden.pdf", "hidden.pdf"),
        ("a   b\t c.pdf", "a b c.pdf"),
        ("e\u0301te\u0301.pdf", "été.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_names_lose_control_characters_and_stay_short(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


@pytest.mark.parametrize("raw", ["../a.pdf", "a/b.pdf", "C:\\x\\a.pdf", "..", ".", "\x00\x01"])
def test_names_with_folders_or_nothing_usable_are_refused(raw: str) -> None:
    with pytest.raises(FileRefused):
        clean_filename(raw)
