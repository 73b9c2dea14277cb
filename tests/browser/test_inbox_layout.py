"""What the inbox looks like in a real browser: nothing cut, nothing too small to read, at a
desktop's width and at a phone's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.payables.factories import BillFactory, SupplierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 390]
# The smallest text a page may set: 12 CSS pixels as rendered, after the SVG's scaling.
SMALLEST_TEXT_PX = 12


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def page(request: Any, live_server: Any, user: Any, company: Any, chromium: Any) -> Iterator[Any]:
    today = timezone.localdate()
    supplier = SupplierFactory(company=company, name="Linden Logistics Ltd")
    for days, amount in [
        (5, "120.00"),
        (-10, "4136.79"),
        (-45, "980.10"),
        (-75, "12.00"),
        (-200, "99999.99"),
    ]:
        BillFactory(
            company=company,
            supplier=supplier,
            due_date=today + dt.timedelta(days=days),
            issue_date=today - dt.timedelta(days=230),
            total_amount=Decimal(amount),
            amount_due=Decimal(amount),
        )
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = chromium.new_context(viewport={"width": request.param, "height": 900})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    yield page
    context.close()


def test_the_aging_charts_text_is_big_enough_to_read(page: Any) -> None:
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.aging-chart text')].map(text => {
            const svg = text.ownerSVGElement;
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return [text.textContent, parseFloat(getComputedStyle(text).fontSize) * scale];
        })"""
    )
    assert sizes
    small = [(text, round(px, 1)) for text, px in sizes if px < SMALLEST_TEXT_PX]
    assert not small, small


def test_the_aging_charts_amounts_do_not_overlap(page: Any) -> None:
    overlaps = page.evaluate(
        """() => {
            const boxes = [...document.querySelectorAll('svg.aging-chart text.amount')]
                .map(t => t.getBoundingClientRect());
            return boxes.slice(1).filter((box, i) => box.left < boxes[i].right).length;
        }"""
    )
    assert overlaps == 0


def test_every_filter_shows_its_options_whole(page: Any) -> None:
    cut = page.evaluate(
        """() => {
            const canvas = document.createElement('canvas').getContext('2d');
            const out = [];
            for (const select of document.querySelectorAll('#inbox-filters select')) {
                const style = getComputedStyle(select);
                canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
                // The room for text: the box less its padding and the drop-down arrow (~20px).
                const room = select.clientWidth - parseFloat(style.paddingLeft)
                    - parseFloat(style.paddingRight) - 20;
                for (const option of select.options) {
                    // A supplier's name may be longer than any box; 25 characters must fit.
                    if (select.name === 'supplier' && option.text.length > 25) continue;
                    const width = canvas.measureText(option.text).width;
                    if (width > room) out.push([select.name, option.text, Math.round(width), Math.round(room)]);
                }
            }
            return out;
        }"""
    )
    assert not cut, cut


def test_the_totals_labels_sit_on_one_line(page: Any) -> None:
    wrapped = page.evaluate(
        """() => [...document.querySelectorAll('.totals dt')].filter(dt => {
            const line = parseFloat(getComputedStyle(dt).lineHeight) || parseFloat(getComputedStyle(dt).fontSize) * 1.5;
            return dt.getBoundingClientRect().height > line * 1.4;
        }).map(dt => dt.textContent)"""
    )
    assert not wrapped, wrapped
