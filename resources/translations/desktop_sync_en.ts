<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>ActPreviewDialog</name>
    <message numerus="yes">
        <source>{type}: %n action(s)</source>
        <translation>
            <numerusform>{type}: %n action</numerusform>
            <numerusform>{type}: %n actions</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The next synchronization of {address} would take %n action(s).</source>
        <translation>
            <numerusform>The next synchronization of {address} would take %n action.</numerusform>
            <numerusform>The next synchronization of {address} would take %n actions.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ActRecordsPage</name>
    <message numerus="yes">
        <source>In conflict (%n field(s)): see Conflicts</source>
        <translation>
            <numerusform>In conflict (%n field): see Conflicts</numerusform>
            <numerusform>In conflict (%n fields): see Conflicts</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AlertsPage</name>
    <message numerus="yes">
        <source>%n alert(s) cleared.</source>
        <translation>
            <numerusform>%n alert cleared.</numerusform>
            <numerusform>%n alerts cleared.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ApplyProfileDialog</name>
    <message numerus="yes">
        <source>%n mailbox(es) will use this profile. Their synchronization stops until you run Test &amp; Enable again.</source>
        <translation>
            <numerusform>%n mailbox will use this profile. Its synchronization stops until you run Test &amp; Enable again.</numerusform>
            <numerusform>%n mailboxes will use this profile. Their synchronization stops until you run Test &amp; Enable again.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConflictsPage</name>
    <message numerus="yes">
        <source>%n conflict(s) resolved: {choice}.</source>
        <translation>
            <numerusform>%n conflict resolved: {choice}.</numerusform>
            <numerusform>%n conflicts resolved: {choice}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message numerus="yes">
        <source>Median of %n mail(s) in the last five minutes; 95 % within {slowest} s.</source>
        <translation>
            <numerusform>Median of %n mail in the last five minutes; 95 % within {slowest} s.</numerusform>
            <numerusform>Median of %n mails in the last five minutes; 95 % within {slowest} s.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es)</source>
        <translation>
            <numerusform>%n mailbox</numerusform>
            <numerusform>%n mailboxes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EnginesPage</name>
    <message numerus="yes">
        <source>%n engine(s) running</source>
        <translation>
            <numerusform>%n engine running</numerusform>
            <numerusform>%n engines running</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FailedItemsPage</name>
    <message numerus="yes">
        <source>%n item(s) will be retried in their mailbox&apos;s next cycle.</source>
        <translation>
            <numerusform>%n item will be retried in its mailbox&apos;s next cycle.</numerusform>
            <numerusform>%n items will be retried in their mailbox&apos;s next cycle.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FilterEditorDialog</name>
    <message numerus="yes">
        <source>This filter also has %n nested group(s) of rules, kept as they are:</source>
        <translation>
            <numerusform>This filter also has %n nested group of rules, kept as they are:</numerusform>
            <numerusform>This filter also has %n nested groups of rules, kept as they are:</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message numerus="yes">
        <source>about %n min</source>
        <translation>
            <numerusform>about %n min</numerusform>
            <numerusform>about %n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n h</source>
        <translation>
            <numerusform>about %n h</numerusform>
            <numerusform>about %n h</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MailboxesPage</name>
    <message numerus="yes">
        <source>%n mailbox(es) approved.</source>
        <translation>
            <numerusform>%n mailbox approved.</numerusform>
            <numerusform>%n mailboxes approved.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Testing %n mailbox(es)…</source>
        <translation>
            <numerusform>Testing %n mailbox…</numerusform>
            <numerusform>Testing %n mailboxes…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Test &amp; Enable: {passed} passed out of %n mailbox(es).</source>
        <translation>
            <numerusform>Test &amp; Enable: {passed} passed out of %n mailbox.</numerusform>
            <numerusform>Test &amp; Enable: {passed} passed out of %n mailboxes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Synchronizing %n mailbox(es) now.</source>
        <translation>
            <numerusform>Synchronizing %n mailbox now.</numerusform>
            <numerusform>Synchronizing %n mailboxes now.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sync requested for %n mailbox(es); it starts when the engine that synchronizes them runs.</source>
        <translation>
            <numerusform>Sync requested for %n mailbox; it starts when the engine that synchronizes it runs.</numerusform>
            <numerusform>Sync requested for %n mailboxes; it starts when the engine that synchronizes them runs.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %n mailbox(es)? Their synchronization stops and they are forgotten, with their passwords; the email they tracked stays in the CRM.</source>
        <translation>
            <numerusform>Delete %n mailbox? Its synchronization stops and it is forgotten, with its password; the email it tracked stays in the CRM.</numerusform>
            <numerusform>Delete %n mailboxes? Their synchronization stops and they are forgotten, with their passwords; the email they tracked stays in the CRM.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es) deleted.</source>
        <translation>
            <numerusform>%n mailbox deleted.</numerusform>
            <numerusform>%n mailboxes deleted.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es) changed.</source>
        <translation>
            <numerusform>%n mailbox changed.</numerusform>
            <numerusform>%n mailboxes changed.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Synchronizing %n mailbox(es) now.</source>
        <translation>
            <numerusform>Synchronizing %n mailbox now.</numerusform>
            <numerusform>Synchronizing %n mailboxes now.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MigrationCredentialsPage</name>
    <message numerus="yes">
        <source>The service account of %n profile(s): {profiles}</source>
        <translation>
            <numerusform>The service account of the profile: {profiles}</numerusform>
            <numerusform>The service account of %n profiles: {profiles}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Signs in to %n mailbox(es): {mailboxes}</source>
        <translation>
            <numerusform>Signs in to the mailbox: {mailboxes}</numerusform>
            <numerusform>Signs in to %n mailboxes: {mailboxes}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MigrationReportPage</name>
    <message numerus="yes">
        <source>%n mailbox(es) wait for you to approve them and run Test &amp; Enable: at most {batch} per batch, queues first.</source>
        <translation>
            <numerusform>%n mailbox waits for you to approve it and run Test &amp; Enable: at most {batch} per batch, queues first.</numerusform>
            <numerusform>%n mailboxes wait for you to approve them and run Test &amp; Enable: at most {batch} per batch, queues first.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n profile(s) still need passwords: enter them in the profile editor or with desktop-sync mailbox set-password.</source>
        <translation>
            <numerusform>%n profile still needs passwords: enter them in the profile editor or with desktop-sync mailbox set-password.</numerusform>
            <numerusform>%n profiles still need passwords: enter them in the profile editor or with desktop-sync mailbox set-password.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Profiles: %n created,</source>
        <translation>
            <numerusform>Profiles: %n created,</numerusform>
            <numerusform>Profiles: %n created,</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n already there.</source>
        <translation>
            <numerusform>%n already there.</numerusform>
            <numerusform>%n already there.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Mailboxes: %n created,</source>
        <translation>
            <numerusform>Mailboxes: %n created,</numerusform>
            <numerusform>Mailboxes: %n created,</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n updated,</source>
        <translation>
            <numerusform>%n updated,</numerusform>
            <numerusform>%n updated,</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unchanged,</source>
        <translation>
            <numerusform>%n unchanged,</numerusform>
            <numerusform>%n unchanged,</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n skipped.</source>
        <translation>
            <numerusform>%n skipped.</numerusform>
            <numerusform>%n skipped.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Enter the %n missing password(s) listed under Credentials (profile editor, or desktop-sync mailbox set-password ADDRESS); the profiles concerned carry a &apos;credentials needed&apos; alert.</source>
        <translation>
            <numerusform>Enter the missing password listed under Credentials (profile editor, or desktop-sync mailbox set-password ADDRESS); the profiles concerned carry a &apos;credentials needed&apos; alert.</numerusform>
            <numerusform>Enter the %n missing passwords listed under Credentials (profile editor, or desktop-sync mailbox set-password ADDRESS); the profiles concerned carry a &apos;credentials needed&apos; alert.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es) are left for you to approve and Test &amp; Enable (desktop-sync mailbox approve ADDRESS, then desktop-sync mailbox test-enable ADDRESS). Nothing synchronizes before that. Test and enable at most {batch} mailboxes per batch (Microsoft advises at most 200 every 5 hours), queues first.</source>
        <translation>
            <numerusform>%n mailbox is left for you to approve and Test &amp; Enable (desktop-sync mailbox approve ADDRESS, then desktop-sync mailbox test-enable ADDRESS). Nothing synchronizes before that. Test and enable at most {batch} mailboxes per batch (Microsoft advises at most 200 every 5 hours), queues first.</numerusform>
            <numerusform>%n mailboxes are left for you to approve and Test &amp; Enable (desktop-sync mailbox approve ADDRESS, then desktop-sync mailbox test-enable ADDRESS). Nothing synchronizes before that. Test and enable at most {batch} mailboxes per batch (Microsoft advises at most 200 every 5 hours), queues first.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MigrationRoutersPage</name>
    <message numerus="yes">
        <source>Read %n router(s)</source>
        <translation>
            <numerusform>Read %n router</numerusform>
            <numerusform>Read %n routers</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n provider(s)</source>
        <translation>
            <numerusform>%n provider</numerusform>
            <numerusform>%n providers</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n email server profile(s)</source>
        <translation>
            <numerusform>%n email server profile</numerusform>
            <numerusform>%n email server profiles</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es)</source>
        <translation>
            <numerusform>%n mailbox</numerusform>
            <numerusform>%n mailboxes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NotificationArea</name>
    <message numerus="yes">
        <source>(and %n more)</source>
        <translation>
            <numerusform>(and %n more)</numerusform>
            <numerusform>(and %n more)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrackedFoldersTab</name>
    <message numerus="yes">
        <source>Mail in a checked folder is tracked whatever the Email tab says, and linked to the folder&apos;s regarding record if one is given. At most %n folders under the Inbox.</source>
        <translation>
            <numerusform>Mail in a checked folder is tracked whatever the Email tab says, and linked to the folder&apos;s regarding record if one is given. At most %n folders under the Inbox.</numerusform>
            <numerusform>Mail in a checked folder is tracked whatever the Email tab says, and linked to the folder&apos;s regarding record if one is given. At most %n folders under the Inbox.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n folder(s) on the server. Check the folders under the Inbox to track.</source>
        <translation>
            <numerusform>%n folder on the server. Check the folders under the Inbox to track.</numerusform>
            <numerusform>%n folders on the server. Check the folders under the Inbox to track.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>At most %n folders can be tracked per mailbox: uncheck another folder first.</source>
        <translation>
            <numerusform>At most %n folders can be tracked per mailbox: uncheck another folder first.</numerusform>
            <numerusform>At most %n folders can be tracked per mailbox: uncheck another folder first.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message numerus="yes">
        <source>%n mailbox(es)</source>
        <translation>
            <numerusform>%n mailbox</numerusform>
            <numerusform>%n mailboxes</numerusform>
        </translation>
    </message>
</context>
</TS>
