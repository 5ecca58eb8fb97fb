"""The schema helper: it loads Microsoft's EWS schemas, accepts what Exchange sends and names what is wrong."""

import pytest
from exchangelib.errors import ErrorInternalServerError
from lxml import etree

from ews import operations, soap
from ews.fixtures import account_factory, running_ews_server
from ews.schema import child_order, load_schema

GET_FOLDER_RESPONSE = b"""<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Header>
    <h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" MinorBuildNumber="6"
        Version="V2017_07_11" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/>
  </s:Header>
  <s:Body>
    <m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
                         xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <m:ResponseMessages>
        <m:GetFolderResponseMessage ResponseClass="Success">
          <m:ResponseCode>NoError</m:ResponseCode>
          <m:Folders>
            <t:Folder>
              <t:FolderId Id="AAMk" ChangeKey="AQAA"/>
              <t:DisplayName>Inbox</t:DisplayName>
              <t:TotalCount>2</t:TotalCount>
              <t:ChildFolderCount>0</t:ChildFolderCount>
              <t:UnreadCount>1</t:UnreadCount>
            </t:Folder>
          </m:Folders>
        </m:GetFolderResponseMessage>
      </m:ResponseMessages>
    </m:GetFolderResponse>
  </s:Body>
</s:Envelope>"""


def test_a_documented_response_validates():
    assert load_schema().errors(GET_FOLDER_RESPONSE) == []


def test_a_misplaced_element_is_named():
    swapped = GET_FOLDER_RESPONSE.replace(
        b"<t:DisplayName>Inbox</t:DisplayName>\n              <t:TotalCount>2</t:TotalCount>",
        b"<t:TotalCount>2</t:TotalCount>\n              <t:DisplayName>Inbox</t:DisplayName>",
    )
    errors = load_schema().errors(swapped)
    assert errors
    assert "DisplayName" in errors[0].message


def test_an_unknown_operation_response_is_rejected():
    unknown = GET_FOLDER_RESPONSE.replace(b"GetFolderResponse>", b"GetFolderzResponse>").replace(
        b"<m:GetFolderResponse ", b"<m:GetFolderzResponse "
    )
    assert load_schema().errors(unknown)


def test_not_even_xml_is_reported_not_raised():
    assert "not well-formed" in load_schema().errors(b"<s:Envelope>")[0].message


def test_the_server_busy_fault_exchange_sends_validates():
    document = soap.serialize(soap.envelope(soap.fault("ErrorServerBusy", "busy", back_off_ms=1500), header=False))
    assert load_schema().errors(document) == []


def test_child_order_follows_the_schema_with_base_types_first():
    order = child_order("MessageType")
    assert order.index("ItemId") < order.index("Subject") < order.index("ToRecipients") < order.index("IsRead")
    assert "UnreadCount" not in child_order("CalendarFolderType")


def test_strict_mode_refuses_to_send_an_invalid_response(monkeypatch: pytest.MonkeyPatch):
    def broken_get_folder(ctx: operations.Context, op: etree._Element) -> etree._Element:
        message = soap.response_message("GetFolder")
        message.append(soap.t("DisplayName", "not allowed here"))
        return soap.response("GetFolder", [message])

    monkeypatch.setitem(operations.HANDLERS, "GetFolder", broken_get_folder)
    with running_ews_server() as server, account_factory(server) as make:
        with pytest.raises(ErrorInternalServerError, match="invalid GetFolder response"):
            _ = make().inbox
        (invalid,) = server.invalid_responses
        assert invalid.operation == "GetFolder"
        assert "DisplayName" in invalid.errors[0].message
        server.invalid_responses.clear()  # this test wanted it; the fixture's check would fail otherwise
