<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR" sourcelanguage="en_US">
<context>
    <name>Messages</name>
    <message>
        <extracomment>mailbox_remapped.title</extracomment>
        <source>Mailbox mapped to another user</source>
        <translation>Boîte aux lettres associée à un autre utilisateur</translation>
    </message>
    <message>
        <extracomment>mailbox_remapped.cause</extracomment>
        <source>{address} was mapped to {old_owner} and is now mapped to {new_owner}. The previous mapping and its synchronization stopped.</source>
        <translation>{address} était associée à {old_owner} et l'est désormais à {new_owner}. L'ancienne association et sa synchronisation ont pris fin.</translation>
    </message>
    <message>
        <extracomment>mailbox_remapped.fix</extracomment>
        <source>Run Test &amp; Enable on {address} so that it synchronizes for {new_owner}.</source>
        <translation>Lancez Tester et activer sur {address} afin qu'elle se synchronise pour {new_owner}.</translation>
    </message>
    <message>
        <extracomment>mailbox_unmapped.title</extracomment>
        <source>Mailbox left without an owner</source>
        <translation>Boîte aux lettres sans propriétaire</translation>
    </message>
    <message>
        <extracomment>mailbox_unmapped.cause</extracomment>
        <source>{address} belonged to {old_owner}, who is now mapped to {other_address}; a user has at most one mailbox, so {address} stopped synchronizing.</source>
        <translation>{address} appartenait à {old_owner}, désormais associé à {other_address} ; un utilisateur a au plus une boîte aux lettres, donc {address} ne se synchronise plus.</translation>
    </message>
    <message>
        <extracomment>mailbox_unmapped.fix</extracomment>
        <source>Map {address} to another user or queue, or leave it unused.</source>
        <translation>Associez {address} à un autre utilisateur ou à une file d'attente, ou laissez-la inutilisée.</translation>
    </message>
    <message>
        <extracomment>mailbox_not_approved.title</extracomment>
        <source>Mailbox not approved</source>
        <translation>Boîte aux lettres non approuvée</translation>
    </message>
    <message>
        <extracomment>mailbox_not_approved.cause</extracomment>
        <source>{address} is enabled but its email address has not been approved, so it is not synchronized.</source>
        <translation>{address} est activée mais son adresse e-mail n'a pas été approuvée : elle n'est donc pas synchronisée.</translation>
    </message>
    <message>
        <extracomment>mailbox_not_approved.fix</extracomment>
        <source>Approve the mailbox (desktop-sync mailbox approve {address}), then run Test &amp; Enable.</source>
        <translation>Approuvez la boîte aux lettres (desktop-sync mailbox approve {address}), puis lancez Tester et activer.</translation>
    </message>
    <message>
        <extracomment>mailbox_awaiting_approval.title</extracomment>
        <source>Mailbox must be approved</source>
        <translation>La boîte aux lettres doit être approuvée</translation>
    </message>
    <message>
        <extracomment>mailbox_awaiting_approval.cause</extracomment>
        <source>{address} passed Test &amp; Enable, but its email address has not been approved, so it does not synchronize.</source>
        <translation>{address} a réussi Tester et activer, mais son adresse e-mail n'a pas été approuvée : elle ne se synchronise donc pas.</translation>
    </message>
    <message>
        <extracomment>mailbox_awaiting_approval.fix</extracomment>
        <source>Approve the mailbox (desktop-sync mailbox approve {address}), then run Test &amp; Enable to enable it.</source>
        <translation>Approuvez la boîte aux lettres (desktop-sync mailbox approve {address}), puis lancez Tester et activer pour l'activer.</translation>
    </message>
    <message>
        <extracomment>test_enable_failed.title</extracomment>
        <source>Test &amp; Enable failed</source>
        <translation>Échec de Tester et activer</translation>
    </message>
    <message>
        <extracomment>test_enable_failed.cause</extracomment>
        <source>Test &amp; Enable of {address} failed: {detail}</source>
        <translation>Tester et activer a échoué pour {address} : {detail}</translation>
    </message>
    <message>
        <extracomment>test_enable_failed.fix</extracomment>
        <source>Fix the cause, then run Test &amp; Enable again.</source>
        <translation>Corrigez la cause, puis relancez Tester et activer.</translation>
    </message>
    <message>
        <extracomment>password_missing.title</extracomment>
        <source>No password for the mailbox</source>
        <translation>Aucun mot de passe pour la boîte aux lettres</translation>
    </message>
    <message>
        <extracomment>password_missing.cause</extracomment>
        <source>{address} signs in with its own credentials and no password is stored for it.</source>
        <translation>{address} se connecte avec ses propres identifiants et aucun mot de passe n'est enregistré pour elle.</translation>
    </message>
    <message>
        <extracomment>password_missing.fix</extracomment>
        <source>Set the password in the mailbox editor or with desktop-sync mailbox set-password {address}.</source>
        <translation>Saisissez le mot de passe dans l'éditeur de la boîte aux lettres ou avec desktop-sync mailbox set-password {address}.</translation>
    </message>
    <message>
        <extracomment>auth_failed.title</extracomment>
        <source>The server refused the credentials</source>
        <translation>Le serveur a refusé les identifiants</translation>
    </message>
    <message>
        <extracomment>auth_failed.cause</extracomment>
        <source>{server} did not accept the user name or password of {address}: {detail}</source>
        <translation>{server} n'a pas accepté le nom d'utilisateur ou le mot de passe de {address} : {detail}</translation>
    </message>
    <message>
        <extracomment>auth_failed.fix</extracomment>
        <source>Check the login and password of the mailbox (or the profile's service account), then run Test &amp; Enable again.</source>
        <translation>Vérifiez l'identifiant et le mot de passe de la boîte aux lettres (ou du compte de service du profil), puis relancez Tester et activer.</translation>
    </message>
    <message>
        <extracomment>certificate_invalid.title</extracomment>
        <source>The server's certificate is not trusted</source>
        <translation>Le certificat du serveur n'est pas reconnu comme fiable</translation>
    </message>
    <message>
        <extracomment>certificate_invalid.cause</extracomment>
        <source>The TLS certificate of {server} could not be verified: {detail}</source>
        <translation>Le certificat TLS de {server} n'a pas pu être vérifié : {detail}</translation>
    </message>
    <message>
        <extracomment>certificate_invalid.fix</extracomment>
        <source>Give the profile the CA file that signed the server's certificate, or fix the certificate on the server.</source>
        <translation>Indiquez dans le profil le fichier de l'autorité de certification (CA) qui a signé le certificat du serveur, ou corrigez le certificat sur le serveur.</translation>
    </message>
    <message>
        <extracomment>tls_unavailable.title</extracomment>
        <source>The server does not offer TLS</source>
        <translation>Le serveur ne propose pas TLS</translation>
    </message>
    <message>
        <extracomment>tls_unavailable.cause</extracomment>
        <source>{server} does not offer the transport security the profile asks for: {detail}</source>
        <translation>{server} ne propose pas la sécurité de transport demandée par le profil : {detail}</translation>
    </message>
    <message>
        <extracomment>tls_unavailable.fix</extracomment>
        <source>Choose the security the server offers (implicit TLS or STARTTLS), or fix the server.</source>
        <translation>Choisissez la sécurité que propose le serveur (TLS implicite ou STARTTLS), ou corrigez le serveur.</translation>
    </message>
    <message>
        <extracomment>host_not_found.title</extracomment>
        <source>Unknown server name</source>
        <translation>Nom de serveur inconnu</translation>
    </message>
    <message>
        <extracomment>host_not_found.cause</extracomment>
        <source>The name of {server} cannot be resolved: {detail}</source>
        <translation>Le nom de {server} ne peut pas être résolu : {detail}</translation>
    </message>
    <message>
        <extracomment>host_not_found.fix</extracomment>
        <source>Correct the host name in the server profile.</source>
        <translation>Corrigez le nom d'hôte dans le profil de serveur.</translation>
    </message>
    <message>
        <extracomment>server_unreachable.title</extracomment>
        <source>The server cannot be reached</source>
        <translation>Le serveur est injoignable</translation>
    </message>
    <message>
        <extracomment>server_unreachable.cause</extracomment>
        <source>{server} did not accept a connection for {address}: {detail}</source>
        <translation>{server} n'a pas accepté de connexion pour {address} : {detail}</translation>
    </message>
    <message>
        <extracomment>server_unreachable.fix</extracomment>
        <source>The engine retries by itself. If it lasts, check the server, the port and the network.</source>
        <translation>Le moteur réessaie de lui-même. Si cela dure, vérifiez le serveur, le port et le réseau.</translation>
    </message>
    <message>
        <extracomment>connection_dropped.title</extracomment>
        <source>The server dropped the connection</source>
        <translation>Le serveur a coupé la connexion</translation>
    </message>
    <message>
        <extracomment>connection_dropped.cause</extracomment>
        <source>{server} closed the connection of {address} in the middle of a request: {detail}</source>
        <translation>{server} a fermé la connexion de {address} au milieu d'une requête : {detail}</translation>
    </message>
    <message>
        <extracomment>connection_dropped.fix</extracomment>
        <source>The engine retries by itself. If it lasts, check the server's logs and limits.</source>
        <translation>Le moteur réessaie de lui-même. Si cela dure, vérifiez les journaux et les limites du serveur.</translation>
    </message>
    <message>
        <extracomment>timeout.title</extracomment>
        <source>The server did not answer in time</source>
        <translation>Le serveur n'a pas répondu à temps</translation>
    </message>
    <message>
        <extracomment>timeout.cause</extracomment>
        <source>{server} took longer than the profile's time-out to answer for {address}: {detail}</source>
        <translation>{server} a mis plus longtemps que le délai d'attente du profil à répondre pour {address} : {detail}</translation>
    </message>
    <message>
        <extracomment>timeout.fix</extracomment>
        <source>The engine retries by itself. If it lasts, raise the time-out (at most 100 s) or check the server.</source>
        <translation>Le moteur réessaie de lui-même. Si cela dure, augmentez le délai d'attente (100 s au plus) ou vérifiez le serveur.</translation>
    </message>
    <message>
        <extracomment>server_busy.title</extracomment>
        <source>The server asked us to slow down</source>
        <translation>Le serveur a demandé de ralentir</translation>
    </message>
    <message>
        <extracomment>server_busy.cause</extracomment>
        <source>{server} is busy and asked to come back later: {detail}</source>
        <translation>{server} est occupé et a demandé de revenir plus tard : {detail}</translation>
    </message>
    <message>
        <extracomment>server_busy.fix</extracomment>
        <source>Nothing to do: the engine waits as long as the server asked. Lower the profile's connection limit if it happens often.</source>
        <translation>Rien à faire : le moteur attend aussi longtemps que le serveur l'a demandé. Si cela arrive souvent, baissez la limite de connexions du profil.</translation>
    </message>
    <message>
        <extracomment>mailbox_not_found.title</extracomment>
        <source>The mailbox does not exist on the server</source>
        <translation>La boîte aux lettres n'existe pas sur le serveur</translation>
    </message>
    <message>
        <extracomment>mailbox_not_found.cause</extracomment>
        <source>{server} has no mailbox {address}: {detail}</source>
        <translation>{server} n'a pas de boîte aux lettres {address} : {detail}</translation>
    </message>
    <message>
        <extracomment>mailbox_not_found.fix</extracomment>
        <source>Check the mailbox's address and login, or remove the mailbox.</source>
        <translation>Vérifiez l'adresse et l'identifiant de la boîte aux lettres, ou supprimez-la.</translation>
    </message>
    <message>
        <extracomment>impersonation_denied.title</extracomment>
        <source>The service account may not act for the mailbox</source>
        <translation>Le compte de service ne peut pas agir pour la boîte aux lettres</translation>
    </message>
    <message>
        <extracomment>impersonation_denied.cause</extracomment>
        <source>{server} refused to let the profile's service account impersonate {address}: {detail}</source>
        <translation>{server} a refusé que le compte de service du profil emprunte l'identité de {address} : {detail}</translation>
    </message>
    <message>
        <extracomment>impersonation_denied.fix</extracomment>
        <source>Give the service account the ApplicationImpersonation role on Exchange (for Exchange Online, grant the application full_access_as_app), or put the credentials on each mailbox instead.</source>
        <translation>Donnez au compte de service le rôle ApplicationImpersonation sur Exchange (pour Exchange Online, accordez à l'application full_access_as_app), ou placez plutôt les identifiants sur chaque boîte aux lettres.</translation>
    </message>
    <message>
        <extracomment>access_denied.title</extracomment>
        <source>Access to the mailbox is denied</source>
        <translation>L'accès à la boîte aux lettres est refusé</translation>
    </message>
    <message>
        <extracomment>access_denied.cause</extracomment>
        <source>{server} refused the account of {address} access to the mailbox or one of its folders: {detail}</source>
        <translation>{server} a refusé au compte de {address} l'accès à la boîte aux lettres ou à l'un de ses dossiers : {detail}</translation>
    </message>
    <message>
        <extracomment>access_denied.fix</extracomment>
        <source>Give the account Full Access to the mailbox, or use a service account with impersonation rights.</source>
        <translation>Donnez au compte l'accès total (Full Access) à la boîte aux lettres, ou utilisez un compte de service autorisé à emprunter l'identité des boîtes.</translation>
    </message>
    <message>
        <extracomment>graph_permission_denied.title</extracomment>
        <source>Microsoft Graph denied a permission</source>
        <translation>Microsoft Graph a refusé une autorisation</translation>
    </message>
    <message>
        <extracomment>graph_permission_denied.cause</extracomment>
        <source>{server} refused {address} a request: {detail}</source>
        <translation>{server} a refusé une requête à {address} : {detail}</translation>
    </message>
    <message>
        <extracomment>graph_permission_denied.fix</extracomment>
        <source>In Microsoft Entra, grant the application the permission named, with admin consent (app-only: the application permissions Mail.ReadWrite, Mail.Send, Calendars.ReadWrite, Contacts.ReadWrite and Tasks.ReadWrite.All; signed-in mailboxes: their delegated forms), and check that the application access policy (or RBAC for Applications scope) includes this mailbox. Then run Test &amp; Enable again.</source>
        <translation>Dans Microsoft Entra, accordez à l'application l’autorisation nommée, avec le consentement administrateur (application seule : les autorisations d'application Mail.ReadWrite, Mail.Send, Calendars.ReadWrite, Contacts.ReadWrite et Tasks.ReadWrite.All ; boîtes connectées : leurs formes déléguées), et vérifiez que la stratégie d'accès de l'application (ou l'étendue RBAC for Applications) inclut cette boîte aux lettres. Relancez ensuite Tester et activer.</translation>
    </message>
    <message>
        <extracomment>autodiscover_failed.title</extracomment>
        <source>The Exchange server could not be found</source>
        <translation>Le serveur Exchange est introuvable</translation>
    </message>
    <message>
        <extracomment>autodiscover_failed.cause</extracomment>
        <source>Autodiscover found no EWS address for {address}: {detail}</source>
        <translation>La découverte automatique (Autodiscover) n'a trouvé aucune adresse EWS pour {address} : {detail}</translation>
    </message>
    <message>
        <extracomment>autodiscover_failed.fix</extracomment>
        <source>Give the profile its EWS URL (e.g. https://mail.example.com/EWS/Exchange.asmx; Exchange Online: https://outlook.office365.com/EWS/Exchange.asmx), or fix the domain's autodiscover records.</source>
        <translation>Indiquez l'URL EWS dans le profil (par ex. https://mail.example.com/EWS/Exchange.asmx ; Exchange Online : https://outlook.office365.com/EWS/Exchange.asmx), ou corrigez les enregistrements Autodiscover du domaine.</translation>
    </message>
    <message>
        <extracomment>not_supported.title</extracomment>
        <source>Not supported</source>
        <translation>Non pris en charge</translation>
    </message>
    <message>
        <extracomment>not_supported.cause, act_appointment_failed.cause, act_contact_failed.cause, act_task_failed.cause, copy_to_sent_failed.cause, store_unavailable.cause, store_missing.cause, bad_db_url.cause, no_store.cause, engine_already_running.cause, busy.cause, operation_interrupted.cause, config_unwritable.cause, autostart_unwritable.cause, file_unwritable.cause, file_not_saved.cause, invalid_value.cause, change_key_stale.cause, act_skipped.cause, router_file.cause, signin_needed.cause, signin_refused.cause, identity_provider_unavailable.cause, not_found.cause, validation.cause</extracomment>
        <source>{detail}</source>
        <translation>{detail}</translation>
    </message>
    <message>
        <extracomment>not_supported.fix</extracomment>
        <source>Choose a synchronization method this profile supports.</source>
        <translation>Choisissez une méthode de synchronisation que ce profil prend en charge.</translation>
    </message>
    <message>
        <extracomment>act_appointment_failed.title, act_no_organizer.title</extracomment>
        <source>An appointment was not synchronized</source>
        <translation>Un rendez-vous n’a pas été synchronisé</translation>
    </message>
    <message>
        <extracomment>act_appointment_failed.fix, act_contact_failed.fix, act_task_failed.fix, act_skipped.fix</extracomment>
        <source>See the failed items; it is tried again in the next cycle.</source>
        <translation>Consultez les éléments en échec ; il sera retenté au prochain cycle.</translation>
    </message>
    <message>
        <extracomment>act_contact_failed.title</extracomment>
        <source>A contact was not synchronized</source>
        <translation>Un contact n’a pas été synchronisé</translation>
    </message>
    <message>
        <extracomment>act_task_failed.title</extracomment>
        <source>A task was not synchronized</source>
        <translation>Une tâche n’a pas été synchronisée</translation>
    </message>
    <message>
        <extracomment>act_no_organizer.cause</extracomment>
        <source>The appointment {item} has no organizer, and Exchange cannot hold a meeting without one.</source>
        <translation>Le rendez-vous {item} n’a pas d’organisateur, et Exchange ne peut pas tenir une réunion sans organisateur.</translation>
    </message>
    <message>
        <extracomment>act_no_organizer.fix</extracomment>
        <source>Give the appointment an organizer in the CRM; it is synchronized at the next cycle.</source>
        <translation>Donnez un organisateur au rendez-vous dans le CRM ; il sera synchronisé au prochain cycle.</translation>
    </message>
    <message>
        <extracomment>act_conflict.title</extracomment>
        <source>Conflict between the CRM and Exchange</source>
        <translation>Conflit entre le CRM et Exchange</translation>
    </message>
    <message>
        <extracomment>act_conflict.cause</extracomment>
        <source>{field} of record {record} changed both in the CRM ({crm_value}) and in Exchange ({exchange_value}) since the last synchronization; the {kept} value was kept.</source>
        <translation>{field} de l’enregistrement {record} a changé à la fois dans le CRM ({crm_value}) et dans Exchange ({exchange_value}) depuis la dernière synchronisation ; la valeur {kept} a été conservée.</translation>
    </message>
    <message>
        <extracomment>act_conflict.fix</extracomment>
        <source>Resolve it in the Conflicts view, or: desktop-sync conflicts resolve {conflict_id} {{crm,exchange,both}}.</source>
        <translation>Résolvez-le dans la vue Conflits, ou : desktop-sync conflicts resolve {conflict_id} {{crm,exchange,both}}.</translation>
    </message>
    <message>
        <extracomment>act_safety_stop.title</extracomment>
        <source>Synchronization of {kind} held for confirmation</source>
        <translation>Synchronisation des {kind} suspendue jusqu’à confirmation</translation>
    </message>
    <message>
        <extracomment>act_safety_stop.cause</extracomment>
        <source>The {kind} of {address} would change too much at once: {changes} ({removed} of {links} links deleted or unlinked; {why}). Nothing of it was written, and the {kind} of this mailbox wait.</source>
        <translation>Les {kind} de {address} changeraient trop à la fois : {changes} ({removed} liens sur {links} supprimés ou déliés ; {why}). Rien n’en a été écrit, et les {kind} de cette boîte attendent.</translation>
    </message>
    <message>
        <extracomment>act_safety_stop.fix</extracomment>
        <source>If this is what you want, run it once: Confirm changes (on this alert or in Preview synchronization), or desktop-sync act confirm {address} --type {type}. Otherwise fix the cause (sync filters, owners, the Exchange folder); the plan waits until then.</source>
        <translation>Si c’est voulu, exécutez-le une fois : Confirmer les modifications (sur cette alerte ou dans l’aperçu de la synchronisation), ou desktop-sync act confirm {address} --type {type}. Sinon, corrigez la cause (filtres de synchronisation, propriétaires, dossier Exchange) ; le plan attend jusque-là.</translation>
    </message>
    <message>
        <extracomment>retries_exhausted.title</extracomment>
        <source>Synchronization stopped after repeated failures</source>
        <translation>Synchronisation arrêtée après des échecs répétés</translation>
    </message>
    <message>
        <extracomment>retries_exhausted.cause</extracomment>
        <source>{address} failed {attempts} times in a row ({detail}); its channel was disabled.</source>
        <translation>{address} a échoué {attempts} fois de suite ({detail}) ; son canal a été désactivé.</translation>
    </message>
    <message>
        <extracomment>retries_exhausted.fix</extracomment>
        <source>Fix the cause, then run Test &amp; Enable to turn synchronization back on.</source>
        <translation>Corrigez la cause, puis lancez Tester et activer pour rétablir la synchronisation.</translation>
    </message>
    <message>
        <extracomment>profile_failing.title</extracomment>
        <source>Most mailboxes of a profile are failing</source>
        <translation>La plupart des boîtes aux lettres d'un profil échouent</translation>
    </message>
    <message>
        <extracomment>profile_failing.cause</extracomment>
        <source>{failing} of the {total} mailboxes of profile {profile} failed within the last hour.</source>
        <translation>{failing} des {total} boîtes aux lettres du profil {profile} ont échoué au cours de la dernière heure.</translation>
    </message>
    <message>
        <extracomment>profile_failing.fix</extracomment>
        <source>The cause is probably the profile or the server: check the server, the profile's settings and its service account.</source>
        <translation>La cause est probablement le profil ou le serveur : vérifiez le serveur, les réglages du profil et son compte de service.</translation>
    </message>
    <message>
        <extracomment>malformed_message.title</extracomment>
        <source>A message could not be read</source>
        <translation>Un message n'a pas pu être lu</translation>
    </message>
    <message>
        <extracomment>malformed_message.cause</extracomment>
        <source>A message of {address} ({item}) is malformed: {detail}</source>
        <translation>Un message de {address} ({item}) est mal formé : {detail}</translation>
    </message>
    <message>
        <extracomment>malformed_message.fix</extracomment>
        <source>It is kept in the failed items; retry it once the cause is fixed, or ignore it.</source>
        <translation>Il est conservé dans les éléments en échec ; réessayez-le une fois la cause corrigée, ou ignorez-le.</translation>
    </message>
    <message>
        <extracomment>item_failed.title</extracomment>
        <source>An item could not be processed</source>
        <translation>Un élément n'a pas pu être traité</translation>
    </message>
    <message>
        <extracomment>item_failed.cause</extracomment>
        <source>An item of {address} ({item}) could not be processed: {detail}</source>
        <translation>Un élément de {address} ({item}) n'a pas pu être traité : {detail}</translation>
    </message>
    <message>
        <extracomment>item_failed.fix</extracomment>
        <source>The other items went on. It is kept in the failed items; retry it once the cause is fixed, or ignore it.</source>
        <translation>Les autres éléments ont continué. Il est conservé dans les éléments en échec ; réessayez-le une fois la cause corrigée, ou ignorez-le.</translation>
    </message>
    <message>
        <extracomment>internal_error.title</extracomment>
        <source>Unexpected error</source>
        <translation>Erreur inattendue</translation>
    </message>
    <message>
        <extracomment>internal_error.cause</extracomment>
        <source>Synchronizing {address} failed unexpectedly: {detail}</source>
        <translation>La synchronisation de {address} a échoué de façon inattendue : {detail}</translation>
    </message>
    <message>
        <extracomment>internal_error.fix</extracomment>
        <source>The engine retries by itself. If it lasts, report it with the log file.</source>
        <translation>Le moteur réessaie de lui-même. Si cela dure, signalez-le en joignant le fichier journal.</translation>
    </message>
    <message>
        <extracomment>insecure_transport.title</extracomment>
        <source>Clear-text connection refused</source>
        <translation>Connexion en clair refusée</translation>
    </message>
    <message>
        <extracomment>insecure_transport.cause</extracomment>
        <source>The profile of {address} asks for a connection without TLS, and insecure transport is not allowed: {detail}</source>
        <translation>Le profil de {address} demande une connexion sans TLS, et le transport non sécurisé n'est pas autorisé : {detail}</translation>
    </message>
    <message>
        <extracomment>insecure_transport.fix</extracomment>
        <source>Choose TLS or STARTTLS, or allow insecure transport on the profile if the network is trusted.</source>
        <translation>Choisissez TLS ou STARTTLS, ou autorisez le transport non sécurisé sur le profil si le réseau est de confiance.</translation>
    </message>
    <message>
        <extracomment>item_not_found.title</extracomment>
        <source>The item is no longer on the server</source>
        <translation>L'élément n'est plus sur le serveur</translation>
    </message>
    <message>
        <extracomment>item_not_found.cause</extracomment>
        <source>An item of {address} ({item}) could not be found on the server: {detail}</source>
        <translation>Un élément de {address} ({item}) est introuvable sur le serveur : {detail}</translation>
    </message>
    <message>
        <extracomment>item_not_found.fix</extracomment>
        <source>Nothing to retry: it was deleted or moved. Clear it from the failed items.</source>
        <translation>Rien à réessayer : il a été supprimé ou déplacé. Retirez-le des éléments en échec.</translation>
    </message>
    <message>
        <extracomment>protocol_error.title</extracomment>
        <source>The server answered something unexpected</source>
        <translation>Le serveur a répondu de façon inattendue</translation>
    </message>
    <message>
        <extracomment>protocol_error.cause</extracomment>
        <source>{server} broke the protocol while serving {address}: {detail}</source>
        <translation>{server} n'a pas respecté le protocole en servant {address} : {detail}</translation>
    </message>
    <message>
        <extracomment>protocol_error.fix</extracomment>
        <source>The engine retries by itself. If it lasts, check the server's logs.</source>
        <translation>Le moteur réessaie de lui-même. Si cela dure, vérifiez les journaux du serveur.</translation>
    </message>
    <message>
        <extracomment>smtp_temporary.title</extracomment>
        <source>The mail server deferred a mail</source>
        <translation>Le serveur de messagerie a différé un e-mail</translation>
    </message>
    <message>
        <extracomment>smtp_temporary.cause</extracomment>
        <source>The outgoing server answered with a temporary refusal (4xx): {detail}</source>
        <translation>Le serveur sortant a répondu par un refus temporaire (4xx) : {detail}</translation>
    </message>
    <message>
        <extracomment>smtp_temporary.fix</extracomment>
        <source>Nothing to do: the mail is sent again later.</source>
        <translation>Rien à faire : l'e-mail sera renvoyé plus tard.</translation>
    </message>
    <message>
        <extracomment>delivery_unknown.title, mail_delivery_unknown.title</extracomment>
        <source>Delivery unknown</source>
        <translation>Remise incertaine</translation>
    </message>
    <message>
        <extracomment>delivery_unknown.cause</extracomment>
        <source>The connection broke while the server had a mail of {address}, and it is not in Sent: {detail}</source>
        <translation>La connexion a été coupée alors que le serveur détenait un e-mail de {address}, et celui-ci n'est pas dans les éléments envoyés : {detail}</translation>
    </message>
    <message>
        <extracomment>delivery_unknown.fix, mail_delivery_unknown.fix</extracomment>
        <source>Ask a recipient, then resend it (desktop-sync outgoing resend ID) or mark it sent (desktop-sync outgoing mark-sent ID).</source>
        <translation>Renseignez-vous auprès d'un destinataire, puis renvoyez-le (desktop-sync outgoing resend ID) ou marquez-le comme envoyé (desktop-sync outgoing mark-sent ID).</translation>
    </message>
    <message>
        <extracomment>outgoing_disabled.title</extracomment>
        <source>Mail waiting to be sent</source>
        <translation>E-mail en attente d'envoi</translation>
    </message>
    <message>
        <extracomment>outgoing_disabled.cause</extracomment>
        <source>{address} cannot send yet: {detail}</source>
        <translation>{address} ne peut pas encore envoyer : {detail}</translation>
    </message>
    <message>
        <extracomment>outgoing_disabled.fix</extracomment>
        <source>Approve the mailbox and run Test &amp; Enable so that outgoing email is enabled; the mail waits.</source>
        <translation>Approuvez la boîte aux lettres et lancez Tester et activer pour activer l'e-mail sortant ; l'e-mail attend.</translation>
    </message>
    <message>
        <extracomment>smtp_rejected.title</extracomment>
        <source>The mail server refused a mail</source>
        <translation>Le serveur de messagerie a refusé un e-mail</translation>
    </message>
    <message>
        <extracomment>smtp_rejected.cause</extracomment>
        <source>The outgoing server refused a mail of {address} for good (5xx): {detail}</source>
        <translation>Le serveur sortant a refusé définitivement un e-mail de {address} (5xx) : {detail}</translation>
    </message>
    <message>
        <extracomment>smtp_rejected.fix</extracomment>
        <source>Correct the recipients or the content, then resend it (desktop-sync outgoing resend ID).</source>
        <translation>Corrigez les destinataires ou le contenu, puis renvoyez-le (desktop-sync outgoing resend ID).</translation>
    </message>
    <message>
        <extracomment>copy_to_sent_failed.title</extracomment>
        <source>The mail was sent but not copied to Sent</source>
        <translation>Le courrier a été envoyé mais pas copié dans Éléments envoyés</translation>
    </message>
    <message>
        <extracomment>copy_to_sent_failed.fix</extracomment>
        <source>Nothing to resend. Check the Sent folder's name and rights on the server.</source>
        <translation>Rien à renvoyer. Vérifiez le nom et les droits du dossier Éléments envoyés sur le serveur.</translation>
    </message>
    <message>
        <extracomment>mail_delivery_unknown.cause</extracomment>
        <source>The mail {message_id} ({subject}) may or may not have been sent: the connection broke while the server had it, and it is not in the Sent folder.</source>
        <translation>Le courrier {message_id} ({subject}) a peut-être été envoyé, peut-être pas : la connexion a été coupée pendant que le serveur l'avait, et il n'est pas dans le dossier Éléments envoyés.</translation>
    </message>
    <message>
        <extracomment>mail_failed.title</extracomment>
        <source>A mail could not be sent</source>
        <translation>Un courrier n'a pas pu être envoyé</translation>
    </message>
    <message>
        <extracomment>mail_failed.cause</extracomment>
        <source>{subject} to {recipients}: {detail}</source>
        <translation>{subject} à {recipients} : {detail}</translation>
    </message>
    <message>
        <extracomment>mail_failed.fix</extracomment>
        <source>Correct the recipients or the cause, then resend it (desktop-sync outgoing resend ID).</source>
        <translation>Corrigez les destinataires ou la cause, puis renvoyez-le (desktop-sync outgoing resend ID).</translation>
    </message>
    <message>
        <extracomment>no_secure_keyring.title</extracomment>
        <source>No secure keyring</source>
        <translation>Aucun trousseau sécurisé</translation>
    </message>
    <message>
        <extracomment>no_secure_keyring.cause</extracomment>
        <source>Passwords are kept only in the system keyring, and none that keeps them safe is available.</source>
        <translation>Les mots de passe sont conservés uniquement dans le trousseau du système, et aucun trousseau qui les protège n'est disponible.</translation>
    </message>
    <message>
        <extracomment>no_secure_keyring.fix</extracomment>
        <source>Start a Secret Service (GNOME Keyring or KWallet) in your session, then try again.</source>
        <translation>Démarrez un service de secrets (Secret Service : GNOME Keyring ou KWallet) dans votre session, puis réessayez.</translation>
    </message>
    <message>
        <extracomment>store_unavailable.title</extracomment>
        <source>The CRM store cannot be opened</source>
        <translation>La base du CRM ne peut pas être ouverte</translation>
    </message>
    <message>
        <extracomment>store_unavailable.fix</extracomment>
        <source>Check the database URL (--db or DESKTOP_SYNC_DB), that the server is running, and that the disk is not full.</source>
        <translation>Vérifiez l'URL de la base de données (--db ou DESKTOP_SYNC_DB), que le serveur fonctionne et que le disque n'est pas plein.</translation>
    </message>
    <message>
        <extracomment>store_missing.title</extracomment>
        <source>The CRM store does not exist</source>
        <translation>La base du CRM n'existe pas</translation>
    </message>
    <message>
        <extracomment>store_missing.fix</extracomment>
        <source>Check the database path (--db or DESKTOP_SYNC_DB), or create it first (desktop-sync init).</source>
        <translation>Vérifiez le chemin de la base de données (--db ou DESKTOP_SYNC_DB), ou créez-la d'abord (desktop-sync init).</translation>
    </message>
    <message>
        <extracomment>bad_db_url.title</extracomment>
        <source>The database URL is not valid</source>
        <translation>L'URL de la base de données n'est pas valide</translation>
    </message>
    <message>
        <extracomment>bad_db_url.fix</extracomment>
        <source>Give a SQLite file path or a URL such as postgresql://user@host/crm (--db or DESKTOP_SYNC_DB).</source>
        <translation>Donnez le chemin d'un fichier SQLite ou une URL comme postgresql://user@host/crm (--db ou DESKTOP_SYNC_DB).</translation>
    </message>
    <message>
        <extracomment>no_store.title</extracomment>
        <source>The CRM store is not open</source>
        <translation>La base du CRM n'est pas ouverte</translation>
    </message>
    <message>
        <extracomment>no_store.fix</extracomment>
        <source>Open the CRM store, then try again.</source>
        <translation>Ouvrez la base du CRM, puis réessayez.</translation>
    </message>
    <message>
        <extracomment>engine_already_running.title</extracomment>
        <source>The engine is already running</source>
        <translation>Le moteur fonctionne déjà</translation>
    </message>
    <message>
        <extracomment>engine_already_running.fix</extracomment>
        <source>One engine runs on a SQLite store at a time: stop the other one first, or use PostgreSQL to run several.</source>
        <translation>Un seul moteur fonctionne à la fois sur une base SQLite : arrêtez d'abord l'autre, ou utilisez PostgreSQL pour en faire fonctionner plusieurs.</translation>
    </message>
    <message>
        <extracomment>busy.title</extracomment>
        <source>Already running</source>
        <translation>Déjà en cours</translation>
    </message>
    <message>
        <extracomment>busy.fix</extracomment>
        <source>Wait until it has ended, then try again.</source>
        <translation>Attendez qu'il soit terminé, puis réessayez.</translation>
    </message>
    <message>
        <extracomment>operation_interrupted.title</extracomment>
        <source>The operation was interrupted</source>
        <translation>L'opération a été interrompue</translation>
    </message>
    <message>
        <extracomment>operation_interrupted.fix</extracomment>
        <source>Start the engine again and run the operation again.</source>
        <translation>Redémarrez le moteur et relancez l'opération.</translation>
    </message>
    <message>
        <extracomment>config_unwritable.title</extracomment>
        <source>The settings could not be saved</source>
        <translation>Les paramètres n'ont pas pu être enregistrés</translation>
    </message>
    <message>
        <extracomment>config_unwritable.fix</extracomment>
        <source>Check the permissions and the free space of the settings folder, then try again.</source>
        <translation>Vérifiez les droits et l'espace libre du dossier des paramètres, puis réessayez.</translation>
    </message>
    <message>
        <extracomment>autostart_unwritable.title</extracomment>
        <source>Starting at sign-in could not be changed</source>
        <translation>Le démarrage à l'ouverture de session n'a pas pu être modifié</translation>
    </message>
    <message>
        <extracomment>autostart_unwritable.fix</extracomment>
        <source>Check the permissions of the autostart folder (~/.config/autostart), then try again.</source>
        <translation>Vérifiez les droits du dossier de démarrage automatique (~/.config/autostart), puis réessayez.</translation>
    </message>
    <message>
        <extracomment>file_unwritable.title</extracomment>
        <source>The file could not be written</source>
        <translation>Le fichier n'a pas pu être écrit</translation>
    </message>
    <message>
        <extracomment>file_unwritable.fix, file_not_saved.fix</extracomment>
        <source>Choose another folder or file name, or check the folder's permissions and free space.</source>
        <translation>Choisissez un autre dossier ou nom de fichier, ou vérifiez les droits et l'espace libre du dossier.</translation>
    </message>
    <message>
        <extracomment>file_not_saved.title</extracomment>
        <source>The file was not saved</source>
        <translation>Le fichier n'a pas été enregistré</translation>
    </message>
    <message>
        <extracomment>invalid_value.title</extracomment>
        <source>An item holds a value that cannot be synchronized</source>
        <translation>Un élément contient une valeur qui ne peut pas être synchronisée</translation>
    </message>
    <message>
        <extracomment>invalid_value.fix</extracomment>
        <source>Correct the value in the CRM or in Exchange; the item is tried again in the next cycle.</source>
        <translation>Corrigez la valeur dans le CRM ou dans Exchange ; l'élément est réessayé au prochain cycle.</translation>
    </message>
    <message>
        <extracomment>change_key_stale.title</extracomment>
        <source>The item changed on the server meanwhile</source>
        <translation>L'élément a changé sur le serveur entre-temps</translation>
    </message>
    <message>
        <extracomment>change_key_stale.fix</extracomment>
        <source>Nothing to do: it is read again and synchronized in the next cycle.</source>
        <translation>Rien à faire : il est relu et synchronisé au prochain cycle.</translation>
    </message>
    <message>
        <extracomment>act_skipped.title</extracomment>
        <source>An item was skipped</source>
        <translation>Un élément a été ignoré</translation>
    </message>
    <message>
        <extracomment>router_file.title</extracomment>
        <source>An E-mail Router file cannot be used</source>
        <translation>Un fichier de l'E-mail Router est inutilisable</translation>
    </message>
    <message>
        <extracomment>router_file.fix</extracomment>
        <source>Choose the router's own files, as the router saved them, and try again.</source>
        <translation>Choisissez les fichiers du routeur lui-même, tels qu'il les a enregistrés, et réessayez.</translation>
    </message>
    <message>
        <extracomment>migration_credentials_needed.title</extracomment>
        <source>Credentials needed for a migrated profile</source>
        <translation>Identifiants nécessaires pour un profil migré</translation>
    </message>
    <message>
        <extracomment>migration_credentials_needed.cause</extracomment>
        <source>Profile {profile} was migrated from the E-mail Router, whose passwords are encrypted and were not migrated. No password is stored yet for {missing}.</source>
        <translation>Le profil {profile} a été migré depuis l'E-mail Router, dont les mots de passe sont chiffrés et n'ont pas été migrés. Aucun mot de passe n'est encore enregistré pour {missing}.</translation>
    </message>
    <message>
        <extracomment>migration_credentials_needed.fix</extracomment>
        <source>Enter the passwords (profile editor, or desktop-sync mailbox set-password ADDRESS), then run Test &amp; Enable on the mailboxes.</source>
        <translation>Saisissez les mots de passe (éditeur de profil, ou desktop-sync mailbox set-password ADDRESS), puis lancez Tester et activer sur les boîtes aux lettres.</translation>
    </message>
    <message>
        <extracomment>signin_needed.title</extracomment>
        <source>Sign-in needed</source>
        <translation>Connexion nécessaire</translation>
    </message>
    <message>
        <extracomment>signin_needed.fix</extracomment>
        <source>Sign the mailbox in again: Sign in… in the mailbox's editor, or desktop-sync mailbox sign-in {address} (a service account: desktop-sync profile sign-in PROFILE, with the profile's name). Its synchronization waits until then and goes on where it stopped.</source>
        <translation>Reconnectez la boîte aux lettres : Se connecter… dans l'éditeur de la boîte aux lettres, ou desktop-sync mailbox sign-in {address} (un compte de service : desktop-sync profile sign-in PROFILE, avec le nom du profil). Sa synchronisation attend jusque-là et reprend là où elle s'était arrêtée.</translation>
    </message>
    <message>
        <extracomment>signin_refused.title</extracomment>
        <source>The sign-in was refused</source>
        <translation>La connexion a été refusée</translation>
    </message>
    <message>
        <extracomment>signin_refused.fix</extracomment>
        <source>Check the profile's identity provider, client id and scopes, then sign in again.</source>
        <translation>Vérifiez le fournisseur d'identité, l'identifiant client et les étendues du profil, puis reconnectez-vous.</translation>
    </message>
    <message>
        <extracomment>identity_provider_unavailable.title</extracomment>
        <source>The identity provider cannot be reached</source>
        <translation>Le fournisseur d'identité est injoignable</translation>
    </message>
    <message>
        <extracomment>identity_provider_unavailable.fix</extracomment>
        <source>The engine retries by itself. If it lasts, check the network and the provider's status.</source>
        <translation>Le moteur réessaie de lui-même. Si cela dure, vérifiez le réseau et l'état du fournisseur.</translation>
    </message>
    <message>
        <extracomment>not_found.title</extracomment>
        <source>Not found</source>
        <translation>Introuvable</translation>
    </message>
    <message>
        <extracomment>not_found.fix</extracomment>
        <source>It may have been changed or removed elsewhere; check the name and try again.</source>
        <translation>Il a peut-être été modifié ou supprimé ailleurs ; vérifiez le nom et réessayez.</translation>
    </message>
    <message>
        <extracomment>validation.title</extracomment>
        <source>Some input is not valid</source>
        <translation>Certaines saisies ne sont pas valides</translation>
    </message>
    <message>
        <extracomment>validation.fix</extracomment>
        <source>Correct the fields named and try again.</source>
        <translation>Corrigez les champs nommés et réessayez.</translation>
    </message>
</context>
<context>
    <name>MessageFacts</name>
    <message>
        <extracomment>a fact put in a message by the engine</extracomment>
        <source>the outgoing server</source>
        <translation>le serveur sortant</translation>
    </message>
    <message>
        <extracomment>a fact put in a message by the engine</extracomment>
        <source>appointments</source>
        <translation>rendez-vous</translation>
    </message>
    <message>
        <extracomment>a fact put in a message by the engine</extracomment>
        <source>tasks</source>
        <translation>tâches</translation>
    </message>
    <message>
        <extracomment>a fact put in a message by the engine</extracomment>
        <source>the CRM has none of the user's records at all</source>
        <translation>le CRM n’a plus aucun enregistrement de l’utilisateur</translation>
    </message>
    <message>
        <extracomment>a fact put in a message by the engine</extracomment>
        <source>Exchange reports no item at all</source>
        <translation>Exchange ne signale plus aucun élément</translation>
    </message>
    <message>
        <extracomment>a fact put in a message by the engine</extracomment>
        <source>because of changes in the CRM</source>
        <translation>à cause de modifications dans le CRM</translation>
    </message>
    <message>
        <extracomment>a fact put in a message by the engine</extracomment>
        <source>because of changes in Exchange</source>
        <translation>à cause de modifications dans Exchange</translation>
    </message>
</context>
<context>
    <name>FieldErrors</name>
    <message>
        <extracomment>a form field's error (address_required)</extracomment>
        <source>an email address is required</source>
        <translation>une adresse e-mail est requise</translation>
    </message>
    <message>
        <extracomment>a form field's error (address_invalid)</extracomment>
        <source>{value} is not a valid email address</source>
        <translation>{value} n'est pas une adresse e-mail valide</translation>
    </message>
    <message>
        <extracomment>a form field's error (guid_invalid)</extracomment>
        <source>{value} is not a GUID</source>
        <translation>{value} n'est pas un GUID</translation>
    </message>
    <message>
        <extracomment>a form field's error (name_required)</extracomment>
        <source>a name is required</source>
        <translation>un nom est requis</translation>
    </message>
    <message>
        <extracomment>a form field's error (profile_name_required)</extracomment>
        <source>a profile name is required</source>
        <translation>un nom de profil est requis</translation>
    </message>
    <message>
        <extracomment>a form field's error (too_long)</extracomment>
        <source>at most {limit} characters</source>
        <translation>au plus {limit} caractères</translation>
    </message>
    <message>
        <extracomment>a form field's error (host_invalid)</extracomment>
        <source>{value} is not a host name or IP address</source>
        <translation>{value} n'est ni un nom d'hôte ni une adresse IP</translation>
    </message>
    <message>
        <extracomment>a form field's error (port_range)</extracomment>
        <source>port {port} is outside {low}-{high}</source>
        <translation>le port {port} est hors de la plage {low}-{high}</translation>
    </message>
    <message>
        <extracomment>a form field's error (url_invalid)</extracomment>
        <source>{value} is not an http(s) URL</source>
        <translation>{value} n'est pas une URL http(s)</translation>
    </message>
    <message>
        <extracomment>a form field's error (url_insecure)</extracomment>
        <source>http:// sends credentials in clear text; use https:// or --allow-insecure</source>
        <translation>http:// envoie les identifiants en clair ; utilisez https:// ou --allow-insecure</translation>
    </message>
    <message>
        <extracomment>a form field's error (exchange_outgoing_host)</extracomment>
        <source>Exchange sends mail through EWS; leave the outgoing host empty</source>
        <translation>Exchange envoie le courrier par EWS ; laissez vide le serveur sortant</translation>
    </message>
    <message>
        <extracomment>a form field's error (ews_url_not_exchange)</extracomment>
        <source>only Exchange profiles have an EWS URL</source>
        <translation>seuls les profils Exchange ont une URL EWS</translation>
    </message>
    <message>
        <extracomment>a form field's error (auth_not_exchange)</extracomment>
        <source>{auth} authentication is for Exchange profiles</source>
        <translation>l'authentification {auth} est réservée aux profils Exchange</translation>
    </message>
    <message>
        <extracomment>a form field's error (exchange_online_oauth)</extracomment>
        <source>Exchange Online signs in with OAuth 2.0 only (--auth oauth)</source>
        <translation>Exchange Online ne se connecte qu’avec OAuth 2.0 (--auth oauth)</translation>
    </message>
    <message>
        <extracomment>a form field's error (exchange_online_microsoft)</extracomment>
        <source>Exchange Online signs in at Microsoft (--oauth-provider microsoft)</source>
        <translation>Exchange Online se connecte chez Microsoft (--oauth-provider microsoft)</translation>
    </message>
    <message>
        <extracomment>a form field's error (exchange_online_no_ews)</extracomment>
        <source>Exchange Online is reached through Microsoft Graph; leave the EWS URL empty</source>
        <translation>Exchange Online est joint par Microsoft Graph ; laissez l’URL EWS vide</translation>
    </message>
    <message>
        <extracomment>a form field's error (exchange_online_outgoing_host)</extracomment>
        <source>Exchange Online sends mail through Microsoft Graph; leave the outgoing host empty</source>
        <translation>Exchange Online envoie le courrier par Microsoft Graph ; laissez le serveur sortant vide</translation>
    </message>
    <message>
        <extracomment>a form field's error (oauth_provider_required)</extracomment>
        <source>choose the identity provider (microsoft, google or oidc)</source>
        <translation>choisissez le fournisseur d’identité (microsoft, google ou oidc)</translation>
    </message>
    <message>
        <extracomment>a form field's error (oauth_client_id_required)</extracomment>
        <source>the application (client) id registered at the identity provider is required</source>
        <translation>l’identifiant d'application (client) enregistré chez le fournisseur d’identité est obligatoire</translation>
    </message>
    <message>
        <extracomment>a form field's error (oauth_issuer_required)</extracomment>
        <source>an OpenID Connect provider needs its issuer URL</source>
        <translation>un fournisseur OpenID Connect a besoin de son URL d’émetteur</translation>
    </message>
    <message>
        <extracomment>a form field's error (oauth_scopes_required)</extracomment>
        <source>an OpenID Connect provider needs the scopes to ask for</source>
        <translation>un fournisseur OpenID Connect a besoin des étendues (scopes) à demander</translation>
    </message>
    <message>
        <extracomment>a form field's error (oauth_client_id_invalid)</extracomment>
        <source>{value} is not an application (client) id</source>
        <translation>{value} n’est pas un identifiant d'application (client)</translation>
    </message>
    <message>
        <extracomment>a form field's error (oauth_scope_invalid)</extracomment>
        <source>{value} is not a scope (no spaces or control characters)</source>
        <translation>{value} n’est pas une étendue (ni espaces ni caractères de contrôle)</translation>
    </message>
    <message>
        <extracomment>a form field's error (oauth_tenant_invalid)</extracomment>
        <source>{value} is not a tenant id or domain</source>
        <translation>{value} n’est ni un identifiant de locataire ni un domaine</translation>
    </message>
    <message>
        <extracomment>a form field's error (oauth_tenant_not_microsoft)</extracomment>
        <source>a tenant is for Microsoft sign-in only</source>
        <translation>un locataire (tenant) ne sert qu’à la connexion Microsoft</translation>
    </message>
    <message>
        <extracomment>a form field's error (oauth_tenant_app_only)</extracomment>
        <source>an application's own sign-in needs the tenant id or domain, not {value}</source>
        <translation>la connexion propre d’une application demande l’identifiant ou le domaine du locataire, pas {value}</translation>
    </message>
    <message>
        <extracomment>a form field's error (oauth_app_only_unsupported)</extracomment>
        <source>{provider} has no client-credentials sign-in for mail; keep credentials on each mailbox</source>
        <translation>{provider} n’offre pas de connexion par identifiants client pour la messagerie ; gardez les identifiants sur chaque boîte aux lettres</translation>
    </message>
    <message>
        <extracomment>a form field's error (oauth_without_oauth)</extracomment>
        <source>{field} is only for OAuth 2.0 profiles (--auth oauth)</source>
        <translation>{field} ne vaut que pour les profils OAuth 2.0 (--auth oauth)</translation>
    </message>
    <message>
        <extracomment>a form field's error (incoming_host_required)</extracomment>
        <source>the incoming server's host is required</source>
        <translation>le nom du serveur entrant est requis</translation>
    </message>
    <message>
        <extracomment>a form field's error (outgoing_port_without_host)</extracomment>
        <source>an outgoing port was given without an outgoing host</source>
        <translation>un port sortant est indiqué sans serveur sortant</translation>
    </message>
    <message>
        <extracomment>a form field's error (security_none)</extracomment>
        <source>'none' sends passwords in clear text; add --allow-insecure to accept</source>
        <translation>« none » envoie les mots de passe en clair ; ajoutez --allow-insecure pour l'accepter</translation>
    </message>
    <message>
        <extracomment>a form field's error (max_connections_range)</extracomment>
        <source>{value} is outside {low}-{high} (default {default})</source>
        <translation>{value} est hors de la plage {low}-{high} (par défaut {default})</translation>
    </message>
    <message>
        <extracomment>a form field's error (seconds_range_default)</extracomment>
        <source>{value} s is outside {low}-{high} s (default {default})</source>
        <translation>{value} s est hors de la plage {low}-{high} s (par défaut {default})</translation>
    </message>
    <message>
        <extracomment>a form field's error (seconds_range)</extracomment>
        <source>{value} s is outside {low}-{high} s</source>
        <translation>{value} s est hors de la plage {low}-{high} s</translation>
    </message>
    <message>
        <extracomment>a form field's error (date_without_zone)</extracomment>
        <source>the date needs a time zone</source>
        <translation>la date doit avoir un fuseau horaire</translation>
    </message>
    <message>
        <extracomment>a form field's error (service_login_required)</extracomment>
        <source>credentials on the profile need the service account's login</source>
        <translation>les identifiants sur le profil demandent l'identifiant du compte de service</translation>
    </message>
    <message>
        <extracomment>a form field's error (delete_not_pop3)</extracomment>
        <source>only POP3 profiles delete mail after download</source>
        <translation>seuls les profils POP3 suppriment le courrier après téléchargement</translation>
    </message>
    <message>
        <extracomment>a form field's error (token_prefix_invalid)</extracomment>
        <source>1-20 characters without spaces</source>
        <translation>1 à 20 caractères, sans espace</translation>
    </message>
    <message>
        <extracomment>a form field's error (category_invalid)</extracomment>
        <source>at most 100 characters, without commas or semicolons</source>
        <translation>au plus 100 caractères, sans virgule ni point-virgule</translation>
    </message>
    <message>
        <extracomment>a form field's error (categories_not_exchange)</extracomment>
        <source>only Exchange items carry categories</source>
        <translation>seuls les éléments Exchange portent des catégories</translation>
    </message>
    <message>
        <extracomment>a form field's error (ca_file_missing)</extracomment>
        <source>{path}: no such file</source>
        <translation>{path} : fichier introuvable</translation>
    </message>
    <message>
        <extracomment>a form field's error (ca_file_unreadable)</extracomment>
        <source>{path}: cannot be read ({reason})</source>
        <translation>{path} : illisible ({reason})</translation>
    </message>
    <message>
        <extracomment>a form field's error (ca_file_no_pem)</extracomment>
        <source>{path}: no PEM certificate in this file</source>
        <translation>{path} : aucun certificat PEM dans ce fichier</translation>
    </message>
    <message>
        <extracomment>a form field's error (credentials_on_mailboxes)</extracomment>
        <source>this profile keeps credentials on each mailbox, not on the profile</source>
        <translation>ce profil garde les identifiants sur chaque boîte aux lettres, pas sur le profil</translation>
    </message>
    <message>
        <extracomment>a form field's error (credentials_on_profile)</extracomment>
        <source>profile {name} keeps the credentials on the profile</source>
        <translation>le profil {name} garde les identifiants sur le profil</translation>
    </message>
    <message>
        <extracomment>a form field's error (profile_exists)</extracomment>
        <source>a profile named {name} already exists</source>
        <translation>un profil nommé {name} existe déjà</translation>
    </message>
    <message>
        <extracomment>a form field's error (password_empty)</extracomment>
        <source>the password is empty</source>
        <translation>le mot de passe est vide</translation>
    </message>
    <message>
        <extracomment>a form field's error (profile_in_use_one)</extracomment>
        <source>1 mailbox uses this profile ({mailboxes}): move or delete it first</source>
        <translation>1 boîte aux lettres utilise ce profil ({mailboxes}) : déplacez-la ou supprimez-la d'abord</translation>
    </message>
    <message>
        <extracomment>a form field's error (profile_in_use)</extracomment>
        <source>{count} mailboxes use this profile ({mailboxes}): move or delete them first</source>
        <translation>{count} boîtes aux lettres utilisent ce profil ({mailboxes}) : déplacez-les ou supprimez-les d'abord</translation>
    </message>
    <message>
        <extracomment>a form field's error (user_and_queue)</extracomment>
        <source>a mailbox belongs to a user or a queue, not both</source>
        <translation>une boîte aux lettres appartient à un utilisateur ou à une file d'attente, pas aux deux</translation>
    </message>
    <message>
        <extracomment>a form field's error (mailbox_exists)</extracomment>
        <source>a mailbox {address} already exists</source>
        <translation>une boîte aux lettres {address} existe déjà</translation>
    </message>
    <message>
        <extracomment>a form field's error (queue_has_mailbox)</extracomment>
        <source>queue {address} already has a mailbox</source>
        <translation>la file d'attente {address} a déjà une boîte aux lettres</translation>
    </message>
    <message>
        <extracomment>a form field's error (unsent_mail_one)</extracomment>
        <source>1 mail from {address} is not sent yet: let the engine send it, or resolve it in the outgoing list first</source>
        <translation>1 message de {address} n'est pas encore envoyé : laissez le moteur l'envoyer, ou réglez-le d'abord dans la liste des envois</translation>
    </message>
    <message>
        <extracomment>a form field's error (unsent_mail)</extracomment>
        <source>{count} mails from {address} are not sent yet: let the engine send them, or resolve them in the outgoing list first</source>
        <translation>{count} messages de {address} ne sont pas encore envoyés : laissez le moteur les envoyer, ou réglez-les d'abord dans la liste des envois</translation>
    </message>
    <message>
        <extracomment>a form field's error (channel_method_required)</extracomment>
        <source>choose how the channel synchronizes before enabling it</source>
        <translation>choisissez comment le canal se synchronise avant de l'activer</translation>
    </message>
    <message>
        <extracomment>a form field's error (forward_incoming_only)</extracomment>
        <source>only incoming email can arrive through a forward mailbox</source>
        <translation>seul le courrier entrant peut arriver par une boîte aux lettres de transfert</translation>
    </message>
    <message>
        <extracomment>a form field's error (act_exchange_only)</extracomment>
        <source>appointments, contacts and tasks are synchronized with Exchange only</source>
        <translation>les rendez-vous, contacts et tâches ne se synchronisent qu'avec Exchange</translation>
    </message>
    <message>
        <extracomment>a form field's error (no_outgoing_server)</extracomment>
        <source>profile {name} has no outgoing server</source>
        <translation>le profil {name} n'a pas de serveur sortant</translation>
    </message>
    <message>
        <extracomment>a form field's error (user_exists)</extracomment>
        <source>a user {address} already exists</source>
        <translation>un utilisateur {address} existe déjà</translation>
    </message>
    <message>
        <extracomment>a form field's error (address_is_queue)</extracomment>
        <source>{address} is already a queue's address</source>
        <translation>{address} est déjà l'adresse d'une file d'attente</translation>
    </message>
    <message>
        <extracomment>a form field's error (user_crm_id_taken)</extracomment>
        <source>another user has the CRM id {crm_id}</source>
        <translation>un autre utilisateur a l'identifiant CRM {crm_id}</translation>
    </message>
    <message>
        <extracomment>a form field's error (queue_exists)</extracomment>
        <source>a queue {address} already exists</source>
        <translation>une file d'attente {address} existe déjà</translation>
    </message>
    <message>
        <extracomment>a form field's error (address_is_user)</extracomment>
        <source>{address} is already a user's address</source>
        <translation>{address} est déjà l'adresse d'un utilisateur</translation>
    </message>
    <message>
        <extracomment>a form field's error (queue_crm_id_taken)</extracomment>
        <source>another queue has the CRM id {crm_id}</source>
        <translation>une autre file d'attente a l'identifiant CRM {crm_id}</translation>
    </message>
    <message>
        <extracomment>a form field's error (signin_not_oauth)</extracomment>
        <source>profile {name} signs in with a password, not OAuth 2.0</source>
        <translation>le profil {name} se connecte avec un mot de passe, pas avec OAuth 2.0</translation>
    </message>
    <message>
        <extracomment>a form field's error (signin_on_profile)</extracomment>
        <source>profile {name} signs in as its application for every mailbox: desktop-sync profile sign-in {name}</source>
        <translation>le profil {name} se connecte en tant qu'application pour toutes ses boîtes aux lettres : desktop-sync profile sign-in {name}</translation>
    </message>
    <message>
        <extracomment>a form field's error (signin_on_mailboxes)</extracomment>
        <source>profile {name} signs each mailbox in on its own: desktop-sync mailbox sign-in EMAIL</source>
        <translation>le profil {name} connecte chaque boîte aux lettres séparément : desktop-sync mailbox sign-in EMAIL</translation>
    </message>
    <message>
        <extracomment>a form field's error (client_secret_empty)</extracomment>
        <source>the client secret is empty</source>
        <translation>le secret client est vide</translation>
    </message>
    <message>
        <extracomment>a form field's error (client_secret_or_certificate)</extracomment>
        <source>give either the client secret or the certificate</source>
        <translation>indiquez soit le secret client, soit le certificat</translation>
    </message>
    <message>
        <extracomment>a form field's error (client_certificate_microsoft_only)</extracomment>
        <source>a certificate proves an application at Microsoft only: use a client secret</source>
        <translation>un certificat n'authentifie une application que chez Microsoft : utilisez un secret client</translation>
    </message>
    <message>
        <extracomment>a form field's error (client_certificate_missing)</extracomment>
        <source>{path}: no such certificate file</source>
        <translation>{path} : fichier de certificat introuvable</translation>
    </message>
    <message>
        <extracomment>a form field's error (client_certificate_unreadable)</extracomment>
        <source>{path}: the certificate file cannot be read ({reason})</source>
        <translation>{path} : le fichier de certificat est illisible ({reason})</translation>
    </message>
    <message>
        <extracomment>a form field's error (client_certificate_too_large)</extracomment>
        <source>the file is larger than a certificate and its key ({limit} characters)</source>
        <translation>le fichier est plus grand qu'un certificat et sa clé ({limit} caractères)</translation>
    </message>
    <message>
        <extracomment>a form field's error (client_certificate_encrypted)</extracomment>
        <source>the private key is encrypted: give it unencrypted (openssl pkcs8 -topk8 -nocrypt)</source>
        <translation>la clé privée est chiffrée : fournissez-la en clair (openssl pkcs8 -topk8 -nocrypt)</translation>
    </message>
    <message>
        <extracomment>a form field's error (client_certificate_no_certificate)</extracomment>
        <source>no certificate (BEGIN CERTIFICATE) in the file</source>
        <translation>aucun certificat (BEGIN CERTIFICATE) dans le fichier</translation>
    </message>
    <message>
        <extracomment>a form field's error (client_certificate_no_key)</extracomment>
        <source>no private key (BEGIN PRIVATE KEY) in the file</source>
        <translation>aucune clé privée (BEGIN PRIVATE KEY) dans le fichier</translation>
    </message>
    <message>
        <extracomment>a form field's error (client_certificate_many_keys)</extracomment>
        <source>more than one private key in the file: give the application's only</source>
        <translation>plusieurs clés privées dans le fichier : ne fournissez que celle de l'application</translation>
    </message>
    <message>
        <extracomment>a form field's error (preset_no_kind)</extracomment>
        <source>{preset} has no preset for {kind} profiles</source>
        <translation>{preset} n'a pas de préréglage pour les profils {kind}</translation>
    </message>
</context>
<context>
    <name>StepTexts</name>
    <message>
        <extracomment>a connection test step (resolved)</extracomment>
        <source>{host}: {addresses}</source>
        <translation>{host} : {addresses}</translation>
    </message>
    <message>
        <extracomment>a connection test step (connected)</extracomment>
        <source>connected to {address} port {port}</source>
        <translation>connecté à {address}, port {port}</translation>
    </message>
    <message>
        <extracomment>a connection test step (connected_greeting)</extracomment>
        <source>connected to {address} port {port}: {greeting}</source>
        <translation>connecté à {address}, port {port} : {greeting}</translation>
    </message>
    <message>
        <extracomment>a connection test step (tls)</extracomment>
        <source>{version} ({cipher}), certificate verified: {subject}, issued by {issuer}, valid until {expiry}</source>
        <translation>{version} ({cipher}), certificat vérifié : {subject}, émis par {issuer}, valide jusqu'au {expiry}</translation>
    </message>
    <message>
        <extracomment>a connection test step (tls_plain)</extracomment>
        <source>{version} ({cipher}), certificate verified</source>
        <translation>{version} ({cipher}), certificat vérifié</translation>
    </message>
    <message>
        <extracomment>a connection test step (clear_text)</extracomment>
        <source>not used: clear text, allowed by the profile</source>
        <translation>non utilisé : texte en clair, autorisé par le profil</translation>
    </message>
    <message>
        <extracomment>a connection test step (logged_in)</extracomment>
        <source>logged in as {login}</source>
        <translation>connecté en tant que {login}</translation>
    </message>
    <message>
        <extracomment>a connection test step (token)</extracomment>
        <source>{provider}: a token for {account}, scopes {scopes}, valid until {expiry}</source>
        <translation>{provider} : un jeton pour {account}, étendues {scopes}, valable jusqu'au {expiry}</translation>
    </message>
    <message>
        <extracomment>a connection test step (sasl_logged_in)</extracomment>
        <source>logged in as {login} with {mechanism}</source>
        <translation>connecté en tant que {login} avec {mechanism}</translation>
    </message>
    <message>
        <extracomment>a connection test step (no_oauth_offered)</extracomment>
        <source>{host} offers no OAuth sign-in (XOAUTH2 or OAUTHBEARER)</source>
        <translation>{host} ne propose aucune connexion OAuth (XOAUTH2 ou OAUTHBEARER)</translation>
    </message>
    <message>
        <extracomment>a connection test step (no_password_send)</extracomment>
        <source>no password: sending without authentication</source>
        <translation>pas de mot de passe : envoi sans authentification</translation>
    </message>
    <message>
        <extracomment>a connection test step (sender_accepted)</extracomment>
        <source>the server accepts {sender} as sender (nothing was sent)</source>
        <translation>le serveur accepte {sender} comme expéditeur (rien n'a été envoyé)</translation>
    </message>
    <message>
        <extracomment>a connection test step (folders)</extracomment>
        <source>{count} folders; Sent folder: {sent}</source>
        <translation>{count} dossiers ; dossier des éléments envoyés : {sent}</translation>
    </message>
    <message>
        <extracomment>a connection test step (folders_no_sent)</extracomment>
        <source>{count} folders; no Sent folder</source>
        <translation>{count} dossiers ; aucun dossier des éléments envoyés</translation>
    </message>
    <message>
        <extracomment>a connection test step (pop3_inbox)</extracomment>
        <source>the Inbox holds {count} messages ({size} bytes)</source>
        <translation>la boîte de réception contient {count} messages ({size} octets)</translation>
    </message>
    <message>
        <extracomment>a connection test step (name_not_found)</extracomment>
        <source>the name {host} was not found (DNS)</source>
        <translation>le nom {host} est introuvable (DNS)</translation>
    </message>
    <message>
        <extracomment>a connection test step (name_lookup_failed)</extracomment>
        <source>the name {host} could not be looked up (DNS): {reason}</source>
        <translation>le nom {host} n'a pas pu être résolu (DNS) : {reason}</translation>
    </message>
    <message>
        <extracomment>a connection test step (name_lookup_timeout)</extracomment>
        <source>looking up the name {host} took longer than {seconds} s (DNS)</source>
        <translation>la résolution du nom {host} a pris plus de {seconds} s (DNS)</translation>
    </message>
    <message>
        <extracomment>a connection test step (name_without_address)</extracomment>
        <source>the name {host} has no address (DNS)</source>
        <translation>le nom {host} n'a aucune adresse (DNS)</translation>
    </message>
    <message>
        <extracomment>a connection test step (refused)</extracomment>
        <source>{host} ({address}) refused the connection on port {port}: nothing listens there</source>
        <translation>{host} ({address}) a refusé la connexion sur le port {port} : rien n'y écoute</translation>
    </message>
    <message>
        <extracomment>a connection test step (no_answer)</extracomment>
        <source>{host} ({address}) did not answer on port {port} within {seconds} s</source>
        <translation>{host} ({address}) n'a pas répondu sur le port {port} en {seconds} s</translation>
    </message>
    <message>
        <extracomment>a connection test step (unreachable)</extracomment>
        <source>{host} ({address}) cannot be reached from this computer (no route to it)</source>
        <translation>{host} ({address}) est injoignable depuis cet ordinateur (aucune route)</translation>
    </message>
    <message>
        <extracomment>a connection test step (no_starttls)</extracomment>
        <source>{host}:{port} does not offer STARTTLS</source>
        <translation>{host}:{port} ne propose pas STARTTLS</translation>
    </message>
    <message>
        <extracomment>a connection test step (no_stls)</extracomment>
        <source>{host}:{port} does not offer STLS</source>
        <translation>{host}:{port} ne propose pas STLS</translation>
    </message>
    <message>
        <extracomment>a connection test step (no_password)</extracomment>
        <source>no password for {login}</source>
        <translation>aucun mot de passe pour {login}</translation>
    </message>
    <message>
        <extracomment>a connection test step (no_auth_offered)</extracomment>
        <source>{host} offers no authentication on this connection</source>
        <translation>{host} ne propose aucune authentification sur cette connexion</translation>
    </message>
    <message>
        <extracomment>a connection test step (no_inbox)</extracomment>
        <source>the account has no INBOX</source>
        <translation>le compte n'a pas de boîte INBOX</translation>
    </message>
    <message>
        <extracomment>a connection test step (certificate_self_signed)</extracomment>
        <source>the server's certificate is self-signed: no authority this computer trusts signed it</source>
        <translation>le certificat du serveur est auto-signé : aucune autorité reconnue par cet ordinateur ne l'a signé</translation>
    </message>
    <message>
        <extracomment>a connection test step (certificate_expired)</extracomment>
        <source>the server's certificate has expired</source>
        <translation>le certificat du serveur a expiré</translation>
    </message>
    <message>
        <extracomment>a connection test step (certificate_not_yet_valid)</extracomment>
        <source>the server's certificate is not valid yet</source>
        <translation>le certificat du serveur n'est pas encore valide</translation>
    </message>
    <message>
        <extracomment>a connection test step (certificate_wrong_name)</extracomment>
        <source>the server's certificate is not valid for the name {host}</source>
        <translation>le certificat du serveur n'est pas valide pour le nom {host}</translation>
    </message>
    <message>
        <extracomment>a connection test step (certificate_unknown_issuer)</extracomment>
        <source>the server's certificate is issued by an authority this computer does not trust</source>
        <translation>le certificat du serveur est émis par une autorité que cet ordinateur ne reconnaît pas</translation>
    </message>
    <message>
        <extracomment>a connection test step (certificate_not_verified)</extracomment>
        <source>the server's certificate could not be verified: {reason}</source>
        <translation>le certificat du serveur n'a pas pu être vérifié : {reason}</translation>
    </message>
    <message>
        <extracomment>a connection test step (ews_url_profile)</extracomment>
        <source>EWS URL {url} (from the profile)</source>
        <translation>URL EWS {url} (indiquée par le profil)</translation>
    </message>
    <message>
        <extracomment>a connection test step (ews_url_autodiscover)</extracomment>
        <source>EWS URL {url} (by autodiscover)</source>
        <translation>URL EWS {url} (trouvée par découverte automatique)</translation>
    </message>
    <message>
        <extracomment>a connection test step (ews_resolved_profile)</extracomment>
        <source>EWS URL {url} (from the profile); {host}: {addresses}</source>
        <translation>URL EWS {url} (indiquée par le profil) ; {host} : {addresses}</translation>
    </message>
    <message>
        <extracomment>a connection test step (ews_resolved_autodiscover)</extracomment>
        <source>EWS URL {url} (by autodiscover); {host}: {addresses}</source>
        <translation>URL EWS {url} (trouvée par découverte automatique) ; {host} : {addresses}</translation>
    </message>
    <message>
        <extracomment>a connection test step (ews_signed_in)</extracomment>
        <source>signed in as {login} ({auth}); server speaks {version}</source>
        <translation>connecté en tant que {login} ({auth}) ; le serveur parle {version}</translation>
    </message>
    <message>
        <extracomment>a connection test step (ews_access_own)</extracomment>
        <source>{address} (as {login}): {folder} has {total} items, {unread} unread</source>
        <translation>{address} (en tant que {login}) : {folder} contient {total} éléments, dont {unread} non lus</translation>
    </message>
    <message>
        <extracomment>a connection test step (ews_access_impersonated)</extracomment>
        <source>{address} (impersonated by {login}): {folder} has {total} items, {unread} unread</source>
        <translation>{address} (emprunt d'identité par {login}) : {folder} contient {total} éléments, dont {unread} non lus</translation>
    </message>
    <message>
        <extracomment>a connection test step (ews_folders)</extracomment>
        <source>{count} folders, {under} under the Inbox</source>
        <translation>{count} dossiers, dont {under} sous la boîte de réception</translation>
    </message>
</context>
<context>
    <name>MigrationTexts</name>
    <message>
        <extracomment>an E-mail Router migration text (no_folder_given)</extracomment>
        <source>give the folder of at least one E-mail Router</source>
        <translation>indiquez le dossier d'au moins un E-mail Router</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (too_many_routers)</extracomment>
        <source>at most {limit} routers at a time; {count} were given</source>
        <translation>au plus {limit} routeurs à la fois ; {count} ont été donnés</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (no_such_folder)</extracomment>
        <source>no such folder</source>
        <translation>dossier introuvable</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (not_a_folder)</extracomment>
        <source>not a folder: give the folder that holds the router's three files</source>
        <translation>ce n'est pas un dossier : indiquez le dossier qui contient les trois fichiers du routeur</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (router_twice)</extracomment>
        <source>this router was given twice</source>
        <translation>ce routeur a été donné deux fois</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (unreadable)</extracomment>
        <source>cannot be read ({reason})</source>
        <translation>illisible ({reason})</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (file_missing)</extracomment>
        <source>no such file: each router needs {files}</source>
        <translation>fichier introuvable : chaque routeur a besoin de {files}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (case_twins)</extracomment>
        <source>two files are named {name} but for their case</source>
        <translation>deux fichiers s'appellent {name} à la casse près</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (file_empty)</extracomment>
        <source>the file is empty</source>
        <translation>le fichier est vide</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (file_too_large)</extracomment>
        <source>{size} is more than the {limit} allowed</source>
        <translation>{size} dépasse les {limit} autorisés</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (files_too_large)</extracomment>
        <source>with this file the routers' files come to {size}, more than the {limit} allowed in all</source>
        <translation>avec ce fichier, les fichiers des routeurs font {size}, plus que les {limit} autorisés en tout</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (read_too_large)</extracomment>
        <source>more than the {limit} allowed</source>
        <translation>plus que les {limit} autorisés</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (doctype_refused)</extracomment>
        <source>it has a DOCTYPE declaration, which an E-mail Router file never has; refused for safety</source>
        <translation>il a une déclaration DOCTYPE, ce qu'un fichier de l'E-mail Router n'a jamais ; refusé par sécurité</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (entity_refused)</extracomment>
        <source>it declares an entity, which an E-mail Router file never does; refused for safety</source>
        <translation>il déclare une entité, ce qu'un fichier de l'E-mail Router ne fait jamais ; refusé par sécurité</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (not_well_formed)</extracomment>
        <source>not well-formed XML ({reason}) at line {line}, column {column}</source>
        <translation>XML mal formé ({reason}) ligne {line}, colonne {column}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (root_not_configuration)</extracomment>
        <source>the root element is &lt;{element}&gt;, not &lt;Configuration&gt;: not an E-mail Router configuration</source>
        <translation>l'élément racine est &lt;{element}&gt;, pas &lt;Configuration&gt; : ce n'est pas une configuration de l'E-mail Router</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (nested_provider)</extracomment>
        <source>a &lt;ProviderConfiguration&gt; is nested inside the &lt;{element}&gt; of line {line}; each must be a child of &lt;Configuration&gt;</source>
        <translation>un &lt;ProviderConfiguration&gt; est imbriqué dans l'élément &lt;{element}&gt; de la ligne {line} ; chacun doit être un enfant de &lt;Configuration&gt;</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (no_system_configuration)</extracomment>
        <source>{source} has no &lt;SystemConfiguration&gt;; the router-wide settings are unknown</source>
        <translation>{source} n'a pas de &lt;SystemConfiguration&gt; : les paramètres généraux du routeur sont inconnus</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (several_system_configurations)</extracomment>
        <source>{source} has {count} &lt;SystemConfiguration&gt; elements; all were read</source>
        <translation>{source} a {count} éléments &lt;SystemConfiguration&gt; : tous ont été lus</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (two_values)</extracomment>
        <source>two different &lt;{element}&gt; values ({first} and {second})</source>
        <translation>deux valeurs &lt;{element}&gt; différentes ({first} et {second})</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (ssl_contradicts_location)</extracomment>
        <source>{source}: &lt;EmailUseSSL&gt; says {stated} but the location is {scheme}://; the location was followed</source>
        <translation>{source} : &lt;EmailUseSSL&gt; indique {stated} mais l'emplacement est en {scheme}:// ; c'est l'emplacement qui a été suivi</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (incoming_lists_ids)</extracomment>
        <source>{source}: an incoming provider lists user or queue ids: ignored</source>
        <translation>{source} : un fournisseur entrant cite des identifiants d'utilisateurs ou de files d'attente : ignorés</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (unknown_elements)</extracomment>
        <source>{source}: provider elements not understood, kept and not migrated: {elements}</source>
        <translation>{source} : éléments de fournisseur non compris, conservés et non migrés : {elements}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (unknown_settings)</extracomment>
        <source>{source}: router settings not understood (kept, not migrated): {settings}</source>
        <translation>{source} : paramètres du routeur non compris (conservés, non migrés) : {settings}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (no_state)</extracomment>
        <source>SystemState.xml holds no provider state: no ThresholdDate to report</source>
        <translation>SystemState.xml ne contient aucun état de fournisseur : aucune ThresholdDate à signaler</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (several_deployments)</extracomment>
        <source>the providers serve several CRM deployments ({deployments}); all of them are migrated into this store - deselect the profiles of other organizations</source>
        <translation>les fournisseurs servent plusieurs déploiements CRM ({deployments}) ; tous sont migrés dans cette base - désélectionnez les profils des autres organisations</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (provider_unusable)</extracomment>
        <source>{source}: not migrated: {reason}</source>
        <translation>{source} : non migré : {reason}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (provider_unusable_address)</extracomment>
        <source>{address}: {source}: not migrated: {reason}</source>
        <translation>{address} : {source} : non migré : {reason}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (address_invalid)</extracomment>
        <source>&lt;EmailAddress&gt; {value} is not an email address</source>
        <translation>&lt;EmailAddress&gt; {value} n'est pas une adresse e-mail</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (forward_flag_invalid)</extracomment>
        <source>&lt;IsForwardMailbox&gt; {value} is not true or false</source>
        <translation>&lt;IsForwardMailbox&gt; {value} n'est ni true ni false</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (no_provider_class)</extracomment>
        <source>it has no &lt;ProviderClass&gt;, so the kind of server is unknown</source>
        <translation>il n'a pas de &lt;ProviderClass&gt;, le type de serveur est donc inconnu</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (custom_without_address)</extracomment>
        <source>a custom provider ({provider_class}) without &lt;EmailAddress&gt; or users</source>
        <translation>un fournisseur personnalisé ({provider_class}) sans &lt;EmailAddress&gt; ni utilisateurs</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (provider_class_unknown)</extracomment>
        <source>provider class {provider_class} is not one Desktop Sync knows (a base class?)</source>
        <translation>la classe de fournisseur {provider_class} n'est pas connue de Desktop Sync (une classe de base ?)</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (no_server_url)</extracomment>
        <source>it has no &lt;EmailServerUrl&gt;, so the server is unknown</source>
        <translation>il n'a pas de &lt;EmailServerUrl&gt;, le serveur est donc inconnu</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (server_url_no_host)</extracomment>
        <source>&lt;EmailServerUrl&gt; {value} names no server</source>
        <translation>&lt;EmailServerUrl&gt; {value} ne nomme aucun serveur</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (server_url_bad_port)</extracomment>
        <source>&lt;EmailServerUrl&gt; {value} has an invalid port</source>
        <translation>&lt;EmailServerUrl&gt; {value} a un port non valide</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (ssl_flag_invalid)</extracomment>
        <source>&lt;EmailUseSSL&gt; {value} is not true or false</source>
        <translation>&lt;EmailUseSSL&gt; {value} n'est ni true ni false</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (auth_mode_unknown)</extracomment>
        <source>&lt;EmailAuthMode&gt; {value} is not a mode Desktop Sync knows</source>
        <translation>&lt;EmailAuthMode&gt; {value} n'est pas un mode connu de Desktop Sync</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (incoming_without_address)</extracomment>
        <source>an incoming provider without &lt;EmailAddress&gt;: no mailbox to migrate</source>
        <translation>un fournisseur entrant sans &lt;EmailAddress&gt; : aucune boîte aux lettres à migrer</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (outgoing_without_ids)</extracomment>
        <source>an outgoing provider that lists no &lt;UserId&gt; or &lt;QueueId&gt;: nobody uses it</source>
        <translation>un fournisseur sortant qui ne cite aucun &lt;UserId&gt; ni &lt;QueueId&gt; : personne ne l'utilise</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (ews_url_built)</extracomment>
        <source>the router's Exchange location {location} is not an EWS URL; the profile uses https://{host}/EWS/Exchange.asmx - check it before Test &amp; Enable</source>
        <translation>l'emplacement Exchange du routeur {location} n'est pas une URL EWS ; le profil utilise https://{host}/EWS/Exchange.asmx - vérifiez-la avant Tester et activer</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (webdav)</extracomment>
        <source>Exchange WebDAV ({host}, Exchange 2003/2007) cannot be used by server-side synchronization: not migrated - move these mailboxes to Exchange 2010 or later (EWS) and set up their profile by hand</source>
        <translation>Exchange WebDAV ({host}, Exchange 2003/2007) ne peut pas être utilisé par la synchronisation côté serveur : non migré - déplacez ces boîtes aux lettres vers Exchange 2010 ou ultérieur (EWS) et configurez leur profil à la main</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (custom_provider)</extracomment>
        <source>a custom provider ({provider_class}) has no counterpart in Desktop Sync: not migrated - set up the profile of these mailboxes by hand</source>
        <translation>un fournisseur personnalisé ({provider_class}) n'a pas d'équivalent dans Desktop Sync : non migré - configurez le profil de ces boîtes aux lettres à la main</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (credentials_inferred)</extracomment>
        <source>{address} signs in as {login}, an account no other mailbox uses: taken as the mailbox's own credentials</source>
        <translation>{address} se connecte en tant que {login}, un compte qu'aucune autre boîte aux lettres n'utilise : pris comme identifiants propres de la boîte aux lettres</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (address_unmatched)</extracomment>
        <source>no user or queue has this address: add it (desktop-sync user add ADDRESS --name NAME --crm-id GUID, or queue add), then run the migration again</source>
        <translation>aucun utilisateur ni aucune file d'attente n'a cette adresse : ajoutez-la (desktop-sync user add ADDRESS --name NAME --crm-id GUID, ou queue add), puis relancez la migration</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (mailbox_not_migrated)</extracomment>
        <source>{address}: not migrated: {problem}</source>
        <translation>{address} : non migrée : {problem}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (id_unmatched)</extracomment>
        <source>1 id listed here matches no user or queue of this store, so nothing is migrated for it (add it with --crm-id, then run the migration again): {ids}</source>
        <translation>1 identifiant cité ici ne correspond à aucun utilisateur ni aucune file d'attente de cette base, rien n'est donc migré pour lui (ajoutez-le avec --crm-id, puis relancez la migration) : {ids}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (ids_unmatched)</extracomment>
        <source>{count} ids listed here match no user or queue of this store, so nothing is migrated for them (add them with --crm-id, then run the migration again): {ids}</source>
        <translation>{count} identifiants cités ici ne correspondent à aucun utilisateur ni aucune file d'attente de ce magasin, rien n'est donc migré pour eux (ajoutez-les avec --crm-id, puis relancez la migration) : {ids}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (id_not_guid)</extracomment>
        <source>{value} (not a GUID)</source>
        <translation>{value} (pas un GUID)</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (served_by_several)</extracomment>
        <source>it is served by router profiles with different settings: {profiles}</source>
        <translation>elle est servie par des profils du routeur aux paramètres différents : {profiles}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (read_by_several)</extracomment>
        <source>it is read by router profiles with different settings: {profiles}</source>
        <translation>elle est lue par des profils du routeur aux paramètres différents : {profiles}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (only_profile_unusable)</extracomment>
        <source>its only router profile cannot be migrated</source>
        <translation>son seul profil du routeur ne peut pas être migré</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (profile_not_migrated)</extracomment>
        <source>not migrated: {problem}</source>
        <translation>non migré : {problem}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (profile_cannot_be_migrated)</extracomment>
        <source>profile {profile} cannot be migrated: {problem}</source>
        <translation>le profil {profile} ne peut pas être migré : {problem}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (outgoing_smtp_only)</extracomment>
        <source>only an outgoing SMTP server: a Desktop Sync profile needs its incoming server too</source>
        <translation>seulement un serveur SMTP sortant : un profil Desktop Sync a aussi besoin de son serveur entrant</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (type_cannot_be_migrated)</extracomment>
        <source>{server_type} cannot be migrated</source>
        <translation>{server_type} ne peut pas être migré</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (incoming_non_ssl)</extracomment>
        <source>the router used {host} without SSL/TLS: passwords would cross the network in clear text, so the profile is migrated only where clear text is allowed for it - switch it to TLS if the server offers it</source>
        <translation>le routeur utilisait {host} sans SSL/TLS : les mots de passe traverseraient le réseau en clair, le profil n'est donc migré que si le texte en clair est autorisé pour lui - passez-le en TLS si le serveur le propose</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (anonymous_incoming)</extracomment>
        <source>the router read this mailbox anonymously, which Desktop Sync cannot do</source>
        <translation>le routeur lisait cette boîte aux lettres de façon anonyme, ce que Desktop Sync ne sait pas faire</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (auth_not_stated)</extracomment>
        <source>the router's files do not say how it signed in: basic is assumed</source>
        <translation>les fichiers du routeur ne disent pas comment il se connectait : l'authentification basic est supposée</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (exchange_online_oauth)</extracomment>
        <source>{host} is Exchange Online: migrated to an Exchange Online profile (Microsoft Graph) that signs in with OAuth 2.0 as your Microsoft Entra application; sign it in before its mailboxes sync</source>
        <translation>{host} est Exchange Online : migré vers un profil Exchange Online (Microsoft Graph) qui se connecte avec OAuth 2.0 en tant que votre application Microsoft Entra ; connectez-le avant que ses boîtes aux lettres se synchronisent</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (exchange_online_needs_app)</extracomment>
        <source>Exchange Online signs in with OAuth 2.0: give the Microsoft Entra application registered for it (desktop-sync migrate router ... --client-id ID --tenant TENANT)</source>
        <translation>Exchange Online se connecte avec OAuth 2.0 : indiquez l'application Microsoft Entra inscrite pour cela (desktop-sync migrate router ... --client-id ID --tenant TENANT)</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (signin_needed_profile)</extracomment>
        <source>no sign-in yet: run desktop-sync profile sign-in {profile} (--client-secret-stdin or --client-certificate PEM) before its mailboxes sync</source>
        <translation>aucune connexion pour l'instant : exécutez desktop-sync profile sign-in {profile} (--client-secret-stdin ou --client-certificate PEM) avant que ses boîtes aux lettres se synchronisent</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (exchange_online_basic)</extracomment>
        <source>{host} is Exchange Online, which no longer accepts basic authentication: switch the profile to OAuth 2 before Test &amp; Enable</source>
        <translation>{host} est Exchange Online, qui n'accepte plus l'authentification basic : passez le profil en OAuth 2 avant Tester et activer</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (shared_account)</extracomment>
        <source>every mailbox of this profile signs in as {login}, and {server_type} reads only that account's mail: give each mailbox its own credentials unless they all receive through it</source>
        <translation>chaque boîte aux lettres de ce profil se connecte en tant que {login}, et {server_type} ne lit que le courrier de ce compte : donnez à chaque boîte aux lettres ses propres identifiants, sauf si toutes reçoivent par lui</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (local_system)</extracomment>
        <source>the router signed in with its service's Local System account (Windows integrated), which Desktop Sync cannot use: enter each mailbox's credentials (desktop-sync mailbox set-password ADDRESS) before Test &amp; Enable</source>
        <translation>le routeur se connectait avec le compte Système local de son service (authentification Windows intégrée), que Desktop Sync ne peut pas utiliser : saisissez les identifiants de chaque boîte aux lettres (desktop-sync mailbox set-password ADDRESS) avant Tester et activer</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (delete_mixed)</extracomment>
        <source>some mailboxes deleted mail after download and others kept it: the profile keeps it</source>
        <translation>certaines boîtes aux lettres supprimaient le courrier après téléchargement et d'autres le conservaient : le profil le conserve</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (exchange_with_smtp)</extracomment>
        <source>incoming Exchange with outgoing SMTP ({host}): an Exchange profile sends through Exchange (EWS), so the SMTP server is no longer used</source>
        <translation>Exchange entrant avec SMTP sortant ({host}) : un profil Exchange envoie par Exchange (EWS), le serveur SMTP n'est donc plus utilisé</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (pop3_with_exchange)</extracomment>
        <source>incoming {server_type} with outgoing Exchange ({host}): this profile cannot send through Exchange, so outgoing email is not migrated - add an SMTP server to it</source>
        <translation>{server_type} entrant avec Exchange sortant ({host}) : ce profil ne peut pas envoyer par Exchange, le courrier sortant n'est donc pas migré - ajoutez-lui un serveur SMTP</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (exchange_servers_differ)</extracomment>
        <source>mail was read from {incoming} and sent through {outgoing}; an Exchange profile uses one server for both: {incoming}</source>
        <translation>le courrier était lu sur {incoming} et envoyé par {outgoing} ; un profil Exchange utilise un seul serveur pour les deux : {incoming}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (smtp_non_ssl)</extracomment>
        <source>the router sent through {host} without SSL/TLS: passwords would cross the network in clear text, so the profile is migrated only where clear text is allowed for it - switch it to STARTTLS or TLS if the server offers it</source>
        <translation>le routeur envoyait par {host} sans SSL/TLS : les mots de passe traverseraient le réseau en clair, le profil n'est donc migré que si le texte en clair est autorisé pour lui - passez-le en STARTTLS ou TLS si le serveur le propose</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (smtp_anonymous)</extracomment>
        <source>the router sent anonymously through {host}; Desktop Sync signs in to it with the same credentials as for the incoming server</source>
        <translation>le routeur envoyait de façon anonyme par {host} ; Desktop Sync s'y connecte avec les mêmes identifiants que pour le serveur entrant</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (smtp_local_system)</extracomment>
        <source>the router sent through {host} as its Local System account; Desktop Sync signs in with the same credentials as for the incoming server</source>
        <translation>le routeur envoyait par {host} avec son compte Système local ; Desktop Sync se connecte avec les mêmes identifiants que pour le serveur entrant</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (smtp_other_account)</extracomment>
        <source>the router sent through {host} as {login}; Desktop Sync signs in with the same credentials as for the incoming server</source>
        <translation>le routeur envoyait par {host} en tant que {login} ; Desktop Sync se connecte avec les mêmes identifiants que pour le serveur entrant</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (profile_exists_same)</extracomment>
        <source>a profile of this name exists with these settings: kept</source>
        <translation>un profil de ce nom existe avec ces paramètres : conservé</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (profile_exists_differs)</extracomment>
        <source>a profile of this name exists and is kept as it is, although its {settings} differ</source>
        <translation>un profil de ce nom existe et est conservé tel quel, bien que ses paramètres diffèrent : {settings}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (not_selected)</extracomment>
        <source>not selected</source>
        <translation>non sélectionné</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (cannot_be_migrated)</extracomment>
        <source>cannot be migrated</source>
        <translation>ne peut pas être migré</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (no_profile)</extracomment>
        <source>no profile</source>
        <translation>aucun profil</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (clear_text_blocked)</extracomment>
        <source>blocked: the router used no SSL/TLS, and the migration does not turn clear-text connections on by itself - allow clear text for this profile (the wizard's tick, or --allow-insecure NAME) to migrate it</source>
        <translation>bloqué : le routeur n'utilisait pas SSL/TLS, et la migration n'active pas d'elle-même les connexions en clair - autorisez le texte en clair pour ce profil (la case de l'assistant, ou --allow-insecure NAME) pour le migrer</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (profile_not_selected)</extracomment>
        <source>its profile {profile} is not selected</source>
        <translation>son profil {profile} n'est pas sélectionné</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (profile_blocked)</extracomment>
        <source>its profile {profile} is blocked until clear text is allowed for it</source>
        <translation>son profil {profile} est bloqué tant que le texte en clair n'est pas autorisé pour lui</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (profile_unusable)</extracomment>
        <source>its profile {profile} is cannot be migrated</source>
        <translation>son profil {profile} ne peut pas être migré</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (owner_has_other_mailbox_kind)</extracomment>
        <source>{owner} already has the mailbox {address}, and a {kind} has one mailbox: change it by hand if the migrated address should replace it</source>
        <translation>{owner} a déjà la boîte aux lettres {address}, et un(e) {kind} n'a qu'une boîte aux lettres : changez-la à la main si l'adresse migrée doit la remplacer</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (address_belongs_to_owner)</extracomment>
        <source>a mailbox with this address exists and belongs to a user or queue, not a forward mailbox</source>
        <translation>une boîte aux lettres avec cette adresse existe et appartient à un utilisateur ou une file d'attente, ce n'est pas une boîte aux lettres de transfert</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (forward_exists)</extracomment>
        <source>a forward mailbox with this address exists</source>
        <translation>une boîte aux lettres de transfert avec cette adresse existe</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (address_belongs_to_other)</extracomment>
        <source>a mailbox with this address belongs to someone else: map it by hand (desktop-sync mailbox map)</source>
        <translation>une boîte aux lettres avec cette adresse appartient à quelqu'un d'autre : associez-la à la main (desktop-sync mailbox map)</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (owner_has_mailbox)</extracomment>
        <source>{owner} already has the mailbox {address}</source>
        <translation>{owner} a déjà la boîte aux lettres {address}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (already_migrated)</extracomment>
        <source>already migrated</source>
        <translation>déjà migrée</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (moves_profile)</extracomment>
        <source>moves from profile {profile}; synchronization stops until Test &amp; Enable</source>
        <translation>quitte le profil {profile} ; la synchronisation s'arrête jusqu'à Tester et activer</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (mapped_to)</extracomment>
        <source>mapped to {owner}</source>
        <translation>associée à {owner}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (mapped_to_nobody)</extracomment>
        <source>mapped to nobody</source>
        <translation>associée à personne</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (owner_gone)</extracomment>
        <source>{owner} no longer exists</source>
        <translation>{owner} n'existe plus</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (created_pending)</extracomment>
        <source>on profile {profile}; pending approval</source>
        <translation>sur le profil {profile} ; en attente d'approbation</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (password_stored)</extracomment>
        <source>in the system keyring</source>
        <translation>dans le trousseau du système</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (password_unused)</extracomment>
        <source>not stored: nothing that signs in with it was migrated</source>
        <translation>non enregistré : rien de ce qui se connecte avec lui n'a été migré</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (password_needed)</extracomment>
        <source>no password yet for {what}</source>
        <translation>pas encore de mot de passe pour {what}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (service_account)</extracomment>
        <source>the service account {login}</source>
        <translation>le compte de service {login}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (profile_summary)</extracomment>
        <source>{kind}, incoming {incoming} {security}, {outgoing}, auth {auth}, {credentials}</source>
        <translation>{kind}, entrant {incoming} {security}, {outgoing}, authentification {auth}, {credentials}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (profile_summary_insecure)</extracomment>
        <source>{kind}, incoming {incoming} {security}, {outgoing}, auth {auth}, {credentials}, allow insecure</source>
        <translation>{kind}, entrant {incoming} {security}, {outgoing}, authentification {auth}, {credentials}, connexions non sécurisées autorisées</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (summary_outgoing)</extracomment>
        <source>outgoing {host}:{port} {security}</source>
        <translation>sortant {host}:{port} {security}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (summary_outgoing_ews)</extracomment>
        <source>outgoing through EWS</source>
        <translation>sortant par EWS</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (summary_no_outgoing)</extracomment>
        <source>no outgoing server</source>
        <translation>aucun serveur sortant</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (summary_credentials_profile)</extracomment>
        <source>credentials on the profile</source>
        <translation>identifiants sur le profil</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (summary_credentials_profile_login)</extracomment>
        <source>credentials on the profile ({login})</source>
        <translation>identifiants sur le profil ({login})</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (summary_credentials_mailbox)</extracomment>
        <source>credentials on the mailbox</source>
        <translation>identifiants sur la boîte aux lettres</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (summary_credentials_mailbox_login)</extracomment>
        <source>credentials on the mailbox ({login})</source>
        <translation>identifiants sur la boîte aux lettres ({login})</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (problems_2)</extracomment>
        <source>(1) {p1}; (2) {p2}</source>
        <translation>(1) {p1} ; (2) {p2}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (problems_3)</extracomment>
        <source>(1) {p1}; (2) {p2}; (3) {p3}</source>
        <translation>(1) {p1} ; (2) {p2} ; (3) {p3}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (problems_4)</extracomment>
        <source>(1) {p1}; (2) {p2}; (3) {p3}; (4) {p4}</source>
        <translation>(1) {p1} ; (2) {p2} ; (3) {p3} ; (4) {p4}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (problems_5)</extracomment>
        <source>(1) {p1}; (2) {p2}; (3) {p3}; (4) {p4}; (5) {p5}</source>
        <translation>(1) {p1} ; (2) {p2} ; (3) {p3} ; (4) {p4} ; (5) {p5}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (problems_6)</extracomment>
        <source>(1) {p1}; (2) {p2}; (3) {p3}; (4) {p4}; (5) {p5}; (6) {p6}</source>
        <translation>(1) {p1} ; (2) {p2} ; (3) {p3} ; (4) {p4} ; (5) {p5} ; (6) {p6}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (problems_7)</extracomment>
        <source>(1) {p1}; (2) {p2}; (3) {p3}; (4) {p4}; (5) {p5}; (6) {p6}; (7) {p7}</source>
        <translation>(1) {p1} ; (2) {p2} ; (3) {p3} ; (4) {p4} ; (5) {p5} ; (6) {p6} ; (7) {p7}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (problems_8)</extracomment>
        <source>(1) {p1}; (2) {p2}; (3) {p3}; (4) {p4}; (5) {p5}; (6) {p6}; (7) {p7}; (8) {p8}</source>
        <translation>(1) {p1} ; (2) {p2} ; (3) {p3} ; (4) {p4} ; (5) {p5} ; (6) {p6} ; (7) {p7} ; (8) {p8}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (problems_9)</extracomment>
        <source>(1) {p1}; (2) {p2}; (3) {p3}; (4) {p4}; (5) {p5}; (6) {p6}; (7) {p7}; (8) {p8}; (9) {p9}</source>
        <translation>(1) {p1} ; (2) {p2} ; (3) {p3} ; (4) {p4} ; (5) {p5} ; (6) {p6} ; (7) {p7} ; (8) {p8} ; (9) {p9}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (problems_10)</extracomment>
        <source>(1) {p1}; (2) {p2}; (3) {p3}; (4) {p4}; (5) {p5}; (6) {p6}; (7) {p7}; (8) {p8}; (9) {p9}; (10) {p10}</source>
        <translation>(1) {p1} ; (2) {p2} ; (3) {p3} ; (4) {p4} ; (5) {p5} ; (6) {p6} ; (7) {p7} ; (8) {p8} ; (9) {p9} ; (10) {p10}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (problems_11)</extracomment>
        <source>(1) {p1}; (2) {p2}; (3) {p3}; (4) {p4}; (5) {p5}; (6) {p6}; (7) {p7}; (8) {p8}; (9) {p9}; (10) {p10}; (11) {p11}</source>
        <translation>(1) {p1} ; (2) {p2} ; (3) {p3} ; (4) {p4} ; (5) {p5} ; (6) {p6} ; (7) {p7} ; (8) {p8} ; (9) {p9} ; (10) {p10} ; (11) {p11}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (problems_12)</extracomment>
        <source>(1) {p1}; (2) {p2}; (3) {p3}; (4) {p4}; (5) {p5}; (6) {p6}; (7) {p7}; (8) {p8}; (9) {p9}; (10) {p10}; (11) {p11}; (12) {p12}</source>
        <translation>(1) {p1} ; (2) {p2} ; (3) {p3} ; (4) {p4} ; (5) {p5} ; (6) {p6} ; (7) {p7} ; (8) {p8} ; (9) {p9} ; (10) {p10} ; (11) {p11} ; (12) {p12}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_name)</extracomment>
        <source>name: {message}</source>
        <translation>name : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_kind)</extracomment>
        <source>kind: {message}</source>
        <translation>kind : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_incoming_host)</extracomment>
        <source>incoming_host: {message}</source>
        <translation>incoming_host : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_incoming_port)</extracomment>
        <source>incoming_port: {message}</source>
        <translation>incoming_port : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_incoming_security)</extracomment>
        <source>incoming_security: {message}</source>
        <translation>incoming_security : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_outgoing_host)</extracomment>
        <source>outgoing_host: {message}</source>
        <translation>outgoing_host : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_outgoing_port)</extracomment>
        <source>outgoing_port: {message}</source>
        <translation>outgoing_port : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_outgoing_security)</extracomment>
        <source>outgoing_security: {message}</source>
        <translation>outgoing_security : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_ews_url)</extracomment>
        <source>ews_url: {message}</source>
        <translation>ews_url : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_auth)</extracomment>
        <source>auth: {message}</source>
        <translation>auth : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_credentials_on)</extracomment>
        <source>credentials_on: {message}</source>
        <translation>credentials_on : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_login)</extracomment>
        <source>login: {message}</source>
        <translation>login : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_max_connections)</extracomment>
        <source>max_connections: {message}</source>
        <translation>max_connections : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_timeout_seconds)</extracomment>
        <source>timeout_seconds: {message}</source>
        <translation>timeout_seconds : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_min_poll_seconds)</extracomment>
        <source>min_poll_seconds: {message}</source>
        <translation>min_poll_seconds : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_process_email_from)</extracomment>
        <source>process_email_from: {message}</source>
        <translation>process_email_from : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_ca_file)</extracomment>
        <source>ca_file: {message}</source>
        <translation>ca_file : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_allow_insecure)</extracomment>
        <source>allow_insecure: {message}</source>
        <translation>allow_insecure : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_delete_after_download)</extracomment>
        <source>delete_after_download: {message}</source>
        <translation>delete_after_download : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_tracking_token_prefix)</extracomment>
        <source>tracking_token_prefix: {message}</source>
        <translation>tracking_token_prefix : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_tracked_category)</extracomment>
        <source>tracked_category: {message}</source>
        <translation>tracked_category : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_tag_undeliverable)</extracomment>
        <source>tag_undeliverable: {message}</source>
        <translation>tag_undeliverable : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_oauth_provider)</extracomment>
        <source>oauth_provider: {message}</source>
        <translation>oauth_provider : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_client_id)</extracomment>
        <source>client_id: {message}</source>
        <translation>client_id : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_tenant)</extracomment>
        <source>tenant: {message}</source>
        <translation>tenant : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_issuer)</extracomment>
        <source>issuer: {message}</source>
        <translation>issuer : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_scopes)</extracomment>
        <source>scopes: {message}</source>
        <translation>scopes : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (setting_refused_authority_host)</extracomment>
        <source>authority_host: {message}</source>
        <translation>authority_host : {message}</translation>
    </message>
    <message>
        <extracomment>an E-mail Router migration text (warning_blocked)</extracomment>
        <source>{warning}; blocked: the router used no SSL/TLS, and the migration does not turn clear-text connections on by itself - allow clear text for this profile (the wizard's tick, or --allow-insecure NAME) to migrate it</source>
        <translation>{warning} ; bloqué : le routeur n'utilisait pas SSL/TLS, et la migration n'active pas d'elle-même les connexions en clair - autorisez le texte en clair pour ce profil (la case de l'assistant, ou --allow-insecure NAME) pour le migrer</translation>
    </message>
</context>
</TS>
