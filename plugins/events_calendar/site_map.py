"""sitemap.xml (sitemaps.org protocol) and the robots.txt that points to it."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
FILES = ("sitemap.xml", "robots.txt")  # what ``write`` writes


def page_addresses(pages: list[str], site_url: str) -> list[str]:
    """Every page of the built site (paths of its index.html files), as the address a visitor
    would use, in a fixed order."""
    addresses = []
    for page in sorted(pages, key=lambda page: page.split("/")):  # folder by folder
        folder = page.removesuffix("index.html").rstrip("/")
        addresses.append(f"{site_url}/" if not folder else f"{site_url}/{folder}/")
    return addresses


def sitemap_xml(addresses: list[str]) -> bytes:
    ElementTree.register_namespace("", NAMESPACE)
    root = ElementTree.Element(f"{{{NAMESPACE}}}urlset")
    for address in addresses:
        url = ElementTree.SubElement(root, f"{{{NAMESPACE}}}url")
        ElementTree.SubElement(url, f"{{{NAMESPACE}}}loc").text = address
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def robots_txt(site_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site_url}/sitemap.xml\n".encode()


def write(output: Path, site_url: str, pages: list[str]) -> None:
    (output / "sitemap.xml").write_bytes(sitemap_xml(page_addresses(pages, site_url)))
    (output / "robots.txt").write_bytes(robots_txt(site_url))
