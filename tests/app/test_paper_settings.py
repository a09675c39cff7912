"""The workshop as paper shows it — name, contact, phone, address, bank account, claims' payment
terms — edited by the administrator on the settings page, which refuses what would print wrong."""

import pytest
from sqlalchemy import select

from app.models import Setting
from app.services import paper, settings
from tests.labels.longest import ADDRESS, CONTACT, PHONE, chinese
from workshop.claims import DueFrom
from workshop.errors import RuleViolation

LIMITS = {"limit_days": 15, "at_risk_days": 3, "inspection_window_days": 7}
WORKSHOP = {
    "workshop_name": chinese(100, 20),
    "workshop_contact": CONTACT,
    "workshop_phone": PHONE,
    "workshop_address": ADDRESS,
    "bank_name": "中国工商银行上海市分行营业部",
    "bank_account_name": "某某服饰有限公司售后服务部",
    "bank_account_no": "1001 2345 6789 0123 456",
    "claim_due_days": "45",
    "claim_due_from": "opened",
}


@pytest.fixture()
def admin(make_user, login):
    return login(make_user("admin"))


def test_the_administrator_sets_the_workshops_block_and_the_slips_print_it(client, admin, app):
    response = client.post("/admin/settings", data=LIMITS | WORKSHOP)
    assert response.status_code == 302
    with app.app_context():
        workshop = settings.workshop()
        party = paper.workshop_party()
    assert (party.name, party.contact, party.phone, party.address) == (
        WORKSHOP["workshop_name"],
        CONTACT,
        PHONE,
        ADDRESS,
    )
    assert workshop.bank_account_no == "1001 2345 6789 0123 456" and workshop.has_bank
    assert (workshop.claim_due_days, workshop.claim_due_from) == (45, DueFrom.OPENED)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert ADDRESS in page and "1001 2345 6789 0123 456" in page


def test_an_empty_workshop_name_prints_the_chain_name_from_the_environment(client, admin, app):
    assert client.post("/admin/settings", data=LIMITS | WORKSHOP | {"workshop_name": "  "}).status_code == 302
    with app.app_context():
        assert paper.workshop_party().name == app.config["CHAIN_NAME"]


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("workshop_phone", "call Mr Li", "A phone number has digits, spaces and + ( ) - / only."),
        ("workshop_phone", "1" * 41, "Field cannot be longer than 40 characters."),
        ("workshop_name", chinese(101, 3), "Field cannot be longer than 100 characters."),
        ("workshop_address", chinese(301, 4), "Field cannot be longer than 300 characters."),
        ("bank_account_no", "6222-02AB-1234", "An account number has digits, spaces and hyphens only."),
        ("bank_account_name", "", "Give the bank, the account name and the account number together."),
        ("claim_due_days", "400", "A number of days from 0 to 365."),
        ("claim_due_days", "-1", "A number of days from 0 to 365."),
        ("claim_due_days", "thirty", "Not a valid integer value."),
        ("claim_due_from", "whenever", "Not a valid choice."),
    ],
)
def test_the_settings_page_refuses_what_would_print_wrong_and_keeps_what_was_saved(
    client, admin, db_session, field, value, said
):
    assert client.post("/admin/settings", data=LIMITS | WORKSHOP).status_code == 302
    before = {s.key: s.value for s in db_session.scalars(select(Setting))}
    response = client.post("/admin/settings", data=LIMITS | WORKSHOP | {field: value})
    assert response.status_code == 400
    assert said in response.get_data(as_text=True)
    db_session.expire_all()
    assert {s.key: s.value for s in db_session.scalars(select(Setting))} == before


def test_the_settings_service_refuses_what_the_form_would_have_refused(app, db_session):
    with pytest.raises(RuleViolation):
        settings.save_workshop(WORKSHOP | {"workshop_phone": "ring twice", "claim_due_days": 30})
    with pytest.raises(RuleViolation):
        settings.save_workshop(WORKSHOP | {"claim_due_days": 366})
