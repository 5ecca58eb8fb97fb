"""Autodiscover as the EWS test server answers it: SOAP ``GetUserSettings`` and the POX (Outlook) form.

These answers are not schema-checked (Microsoft's EWS schemas do not cover autodiscover).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from lxml import etree

from .soap import SOAP

if TYPE_CHECKING:
    from .store import Store


AUTODISCOVER_SVC = "/autodiscover/autodiscover.svc"
AUTODISCOVER_XML = "/autodiscover/autodiscover.xml"
ANS = "http://schemas.microsoft.com/exchange/2010/Autodiscover"
POX_RESPONSE = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
POX_OUTLOOK = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"


def user_settings(store: Store, url: str, users: list[str]) -> bytes:
    nsmap = {
        "s": SOAP,
        "a": "http://www.w3.org/2005/08/addressing",
        "i": "http://www.w3.org/2001/XMLSchema-instance",
    }
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap=nsmap)
    header = etree.SubElement(envelope, f"{{{SOAP}}}Header")
    action = etree.SubElement(header, "{http://www.w3.org/2005/08/addressing}Action")
    action.set(f"{{{SOAP}}}mustUnderstand", "1")
    action.text = "http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettingsResponse"
    info = etree.SubElement(header, f"{{{ANS}}}ServerVersionInfo", nsmap={"h": ANS})
    for tag, value in (
        ("MajorVersion", "15"),
        ("MinorVersion", "1"),
        ("MajorBuildNumber", "2507"),
        ("MinorBuildNumber", "6"),
        ("Version", "Exchange2015"),
    ):
        etree.SubElement(info, f"{{{ANS}}}{tag}").text = value
    body = etree.SubElement(envelope, f"{{{SOAP}}}Body")
    message = etree.SubElement(body, f"{{{ANS}}}GetUserSettingsResponseMessage", nsmap={None: ANS})
    response = etree.SubElement(message, f"{{{ANS}}}Response")
    etree.SubElement(response, f"{{{ANS}}}ErrorCode").text = "NoError"
    etree.SubElement(response, f"{{{ANS}}}ErrorMessage")
    responses = etree.SubElement(response, f"{{{ANS}}}UserResponses")
    for user in users:
        entry = etree.SubElement(responses, f"{{{ANS}}}UserResponse")
        with store.lock:
            mailbox = store.mailboxes.get(user.lower())
        if mailbox is None:
            etree.SubElement(entry, f"{{{ANS}}}ErrorCode").text = "InvalidUser"
            etree.SubElement(entry, f"{{{ANS}}}ErrorMessage").text = f"Invalid user: '{user}'"
            continue
        etree.SubElement(entry, f"{{{ANS}}}ErrorCode").text = "NoError"
        etree.SubElement(entry, f"{{{ANS}}}ErrorMessage").text = "No error."
        etree.SubElement(entry, f"{{{ANS}}}RedirectTarget").set(
            "{http://www.w3.org/2001/XMLSchema-instance}nil", "true"
        )
        etree.SubElement(entry, f"{{{ANS}}}UserSettingErrors")
        settings = etree.SubElement(entry, f"{{{ANS}}}UserSettings")
        values = {
            "AutoDiscoverSMTPAddress": mailbox.address,
            "UserDisplayName": mailbox.display_name,
            "ExternalEwsUrl": url,
            "InternalEwsUrl": url,
            "EwsSupportedSchemas": "Exchange2007, Exchange2007_SP1, Exchange2010, Exchange2010_SP1, "
            "Exchange2010_SP2, Exchange2013, Exchange2013_SP1, Exchange2015, Exchange2016",
            "CasVersion": "15.01.2507.006",
        }
        for name, value in values.items():
            setting = etree.SubElement(settings, f"{{{ANS}}}UserSetting")
            setting.set("{http://www.w3.org/2001/XMLSchema-instance}type", "StringSetting")
            etree.SubElement(setting, f"{{{ANS}}}Name").text = name
            etree.SubElement(setting, f"{{{ANS}}}Value").text = value
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def pox_settings(store: Store, url: str, host: str, address: str) -> bytes:
    root = etree.Element(f"{{{POX_RESPONSE}}}Autodiscover", nsmap={None: POX_RESPONSE})
    with store.lock:
        mailbox = store.mailboxes.get(address.lower())
    if mailbox is None:
        response = etree.SubElement(root, f"{{{POX_RESPONSE}}}Response")
        error = etree.SubElement(response, f"{{{POX_RESPONSE}}}Error", Time=time.strftime("%H:%M:%S"), Id="1")
        etree.SubElement(error, f"{{{POX_RESPONSE}}}ErrorCode").text = "500"
        etree.SubElement(error, f"{{{POX_RESPONSE}}}Message").text = "The email address can't be found."
        etree.SubElement(error, f"{{{POX_RESPONSE}}}DebugData")
        return etree.tostring(root, xml_declaration=True, encoding="utf-8")
    response = etree.SubElement(root, f"{{{POX_OUTLOOK}}}Response", nsmap={None: POX_OUTLOOK})

    def sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
        node = etree.SubElement(parent, f"{{{POX_OUTLOOK}}}{tag}")
        node.text = text
        return node

    user = sub(response, "User")
    sub(user, "DisplayName", mailbox.display_name)
    sub(user, "AutoDiscoverSMTPAddress", mailbox.address)
    account = sub(response, "Account")
    sub(account, "AccountType", "email")
    sub(account, "Action", "settings")
    for kind in ("EXCH", "EXPR"):
        protocol = sub(account, "Protocol")
        sub(protocol, "Type", kind)
        sub(protocol, "Server", host)
        sub(protocol, "ASUrl", url)
        sub(protocol, "EwsUrl", url)
        sub(protocol, "EmwsUrl", url)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
