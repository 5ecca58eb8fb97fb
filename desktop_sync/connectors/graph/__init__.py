"""Exchange Online through Microsoft Graph: the client (``client.py``, ``answers.py``), incoming mail
(``mail.py``) and sending (``send.py``)."""
