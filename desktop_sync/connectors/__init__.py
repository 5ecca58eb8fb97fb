"""One connector per protocol (IMAP, POP3, SMTP, Exchange), each translating its library's errors."""
