<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About Desktop Sync</source>
        <translation>À propos de Desktop Sync</translation>
    </message>
    <message>
        <source>Desktop Sync {version}</source>
        <translation>Desktop Sync {version}</translation>
    </message>
    <message>
        <source>Server-side synchronization between a CRM and Exchange, IMAP, POP3 and SMTP mail servers.</source>
        <translation>Synchronisation côté serveur entre un CRM et des serveurs de messagerie Exchange, IMAP, POP3 et SMTP.</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Licence</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Base de données</translation>
    </message>
    <message>
        <source>Log file</source>
        <translation>Fichier journal</translation>
    </message>
    <message>
        <source>Settings file</source>
        <translation>Fichier de paramètres</translation>
    </message>
    <message>
        <source>Runtime</source>
        <translation>Environnement d&apos;exécution</translation>
    </message>
    <message>
        <source>{label}:</source>
        <translation>{label} :</translation>
    </message>
    <message>
        <source>&amp;Copy for a support request</source>
        <translation>&amp;Copier pour une demande d&apos;assistance</translation>
    </message>
    <message>
        <source>Copies the version, the store and where the log and settings files are</source>
        <translation>Copie la version, la base de données et l&apos;emplacement des fichiers journal et de paramètres</translation>
    </message>
    <message>
        <source>Copied to the clipboard: paste it into your support request.</source>
        <translation>Copié dans le presse-papiers : collez-le dans votre demande d&apos;assistance.</translation>
    </message>
</context>
<context>
    <name>ActFields</name>
    <message>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Début</translation>
    </message>
    <message>
        <source>End</source>
        <translation>Fin</translation>
    </message>
    <message>
        <source>All day</source>
        <translation>Toute la journée</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Lieu</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Attendees</source>
        <translation>Participants</translation>
    </message>
    <message>
        <source>Organizer</source>
        <translation>Organisateur</translation>
    </message>
    <message>
        <source>Show as</source>
        <translation>Afficher comme</translation>
    </message>
    <message>
        <source>Importance</source>
        <translation>Importance</translation>
    </message>
    <message>
        <source>Recurrence</source>
        <translation>Périodicité</translation>
    </message>
    <message>
        <source>First name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <source>Last name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>Société</translation>
    </message>
    <message>
        <source>Job title</source>
        <translation>Fonction</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Email 2</source>
        <translation>E-mail 2</translation>
    </message>
    <message>
        <source>Business phone</source>
        <translation>Téléphone professionnel</translation>
    </message>
    <message>
        <source>Mobile phone</source>
        <translation>Téléphone mobile</translation>
    </message>
    <message>
        <source>Street</source>
        <translation>Rue</translation>
    </message>
    <message>
        <source>City</source>
        <translation>Ville</translation>
    </message>
    <message>
        <source>Postal code</source>
        <translation>Code postal</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>Pays</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Échéance</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>% complete</source>
        <translation>% achevé</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorité</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Oui</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Non</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>Non commencée</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>En cours</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Terminée</translation>
    </message>
    <message>
        <source>Waiting on someone else</source>
        <translation>En attente de quelqu’un d’autre</translation>
    </message>
    <message>
        <source>Deferred</source>
        <translation>Reportée</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Basse</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Normale</translation>
    </message>
    <message>
        <source>High</source>
        <translation>Haute</translation>
    </message>
    <message>
        <source>Appointments</source>
        <translation>Rendez-vous</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>Tâches</translation>
    </message>
    <message>
        <source>Appointment</source>
        <translation>Rendez-vous</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Contact</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Tâche</translation>
    </message>
</context>
<context>
    <name>ActPreviewDialog</name>
    <message>
        <source>Preview synchronization: {address}</source>
        <translation>Aperçu de la synchronisation : {address}</translation>
    </message>
    <message>
        <source>What the next synchronization would do</source>
        <translation>Ce que ferait la prochaine synchronisation</translation>
    </message>
    <message>
        <source>Planned actions</source>
        <translation>Actions prévues</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Où</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Enregistrement</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message numerus="yes">
        <source>{type}: %n action(s)</source>
        <translation>
            <numerusform>{type} : %n action</numerusform>
            <numerusform>{type} : %n actions</numerusform>
        </translation>
    </message>
    <message>
        <source>{type}: nothing to do</source>
        <translation>{type} : rien à faire</translation>
    </message>
    <message>
        <source>{group} — held by the safety stop: {why}</source>
        <translation>{group} — suspendu par l’arrêt de sécurité : {why}</translation>
    </message>
    <message>
        <source>Con&amp;firm changes</source>
        <translation>Con&amp;firmer les modifications</translation>
    </message>
    <message>
        <source>Run the held plan once, as listed here</source>
        <translation>Exécuter une fois le plan suspendu, tel qu’il est listé ici</translation>
    </message>
    <message>
        <source>This is a preview: nothing has been changed in the CRM or in Exchange.</source>
        <translation>Ceci est un aperçu : rien n’a été modifié dans le CRM ni dans Exchange.</translation>
    </message>
    <message>
        <source>Appointments, contacts and tasks of {address} would not be synchronized: {reason}.</source>
        <translation>Les rendez-vous, contacts et tâches de {address} ne seraient pas synchronisés : {reason}.</translation>
    </message>
    <message>
        <source>The safety stop holds changes of {address}: they would remove too much at once, so nothing of them is written until you confirm them (Confirm changes runs them once).</source>
        <translation>L’arrêt de sécurité suspend des modifications de {address} : elles retireraient trop à la fois, donc rien n’en est écrit tant que vous ne les confirmez pas (Confirmer les modifications les exécute une fois).</translation>
    </message>
    <message>
        <source>{address} is up to date: the next synchronization has nothing to do.</source>
        <translation>{address} est à jour : la prochaine synchronisation n’a rien à faire.</translation>
    </message>
    <message numerus="yes">
        <source>The next synchronization of {address} would take %n action(s).</source>
        <translation>
            <numerusform>La prochaine synchronisation de {address} effectuerait %n action.</numerusform>
            <numerusform>La prochaine synchronisation de {address} effectuerait %n actions.</numerusform>
        </translation>
    </message>
    <message>
        <source>the CRM has none of the user&apos;s records at all</source>
        <translation>le CRM n’a plus aucun enregistrement de l’utilisateur</translation>
    </message>
    <message>
        <source>Exchange reports no item at all</source>
        <translation>Exchange ne signale plus aucun élément</translation>
    </message>
    <message>
        <source>too many links removed because of changes in the CRM</source>
        <translation>trop de liens retirés à cause de modifications dans le CRM</translation>
    </message>
    <message>
        <source>too many links removed because of changes in Exchange</source>
        <translation>trop de liens retirés à cause de modifications dans Exchange</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Créer</translation>
    </message>
    <message>
        <source>Update</source>
        <translation>Mettre à jour</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Create a copy</source>
        <translation>Créer une copie</translation>
    </message>
    <message>
        <source>Link again</source>
        <translation>Relier à nouveau</translation>
    </message>
    <message>
        <source>Unlink</source>
        <translation>Délier</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>Conflit</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>Ignorer</translation>
    </message>
    <message>
        <source>CRM</source>
        <translation>CRM</translation>
    </message>
    <message>
        <source>Exchange</source>
        <translation>Exchange</translation>
    </message>
    <message>
        <source>CRM and Exchange</source>
        <translation>CRM et Exchange</translation>
    </message>
    <message>
        <source>(an Exchange item without a title)</source>
        <translation>(un élément Exchange sans titre)</translation>
    </message>
    <message>
        <source>(no title)</source>
        <translation>(sans titre)</translation>
    </message>
    <message>
        <source>the CRM&apos;s value is kept</source>
        <translation>la valeur du CRM est conservée</translation>
    </message>
    <message>
        <source>Exchange&apos;s value is kept</source>
        <translation>la valeur d’Exchange est conservée</translation>
    </message>
    <message>
        <source>both are kept (a copy)</source>
        <translation>les deux sont conservées (une copie)</translation>
    </message>
    <message>
        <source>{field}: CRM {crm}, Exchange {exchange}; {kept}</source>
        <translation>{field} : CRM {crm}, Exchange {exchange} ; {kept}</translation>
    </message>
    <message>
        <source>Fields: {fields}</source>
        <translation>Champs : {fields}</translation>
    </message>
    <message>
        <source>Invitations are sent to the attendees</source>
        <translation>Des invitations sont envoyées aux participants</translation>
    </message>
    <message>
        <source>A new CRM record with Exchange&apos;s values (keep both)</source>
        <translation>Un nouvel enregistrement du CRM avec les valeurs d’Exchange (conserver les deux)</translation>
    </message>
    <message>
        <source>Created earlier but its link was lost: linked again, nothing created</source>
        <translation>Créé auparavant mais son lien a été perdu : relié à nouveau, rien n’est créé</translation>
    </message>
    <message>
        <source>appointments, contacts and tasks are not enabled for this mailbox</source>
        <translation>les rendez-vous, contacts et tâches ne sont pas activés pour cette boîte aux lettres</translation>
    </message>
    <message>
        <source>the mailbox is not approved</source>
        <translation>la boîte aux lettres n’est pas approuvée</translation>
    </message>
    <message>
        <source>only a user&apos;s mailbox has appointments, contacts and tasks</source>
        <translation>seule la boîte aux lettres d’un utilisateur a des rendez-vous, contacts et tâches</translation>
    </message>
    <message>
        <source>the mailbox no longer exists</source>
        <translation>la boîte aux lettres n’existe plus</translation>
    </message>
    <message>
        <source>Deleted in Exchange; the CRM record is kept</source>
        <translation>Supprimé dans Exchange ; l’enregistrement du CRM est conservé</translation>
    </message>
    <message>
        <source>Left the sync filter; kept in Exchange</source>
        <translation>Sorti du filtre de synchronisation ; conservé dans Exchange</translation>
    </message>
    <message>
        <source>No longer among the user&apos;s records (owner changed, or out of scope); kept in Exchange</source>
        <translation>Ne fait plus partie des enregistrements de l’utilisateur (propriétaire changé, ou hors périmètre) ; conservé dans Exchange</translation>
    </message>
    <message>
        <source>The tracking category was removed in Exchange; the CRM record is kept</source>
        <translation>La catégorie de suivi a été retirée dans Exchange ; l’enregistrement du CRM est conservé</translation>
    </message>
    <message>
        <source>Deleted in the CRM; the meeting is left in Exchange (not organized by the user, or past)</source>
        <translation>Supprimé dans le CRM ; la réunion est laissée dans Exchange (organisée par quelqu’un d’autre, ou passée)</translation>
    </message>
    <message>
        <source>An appointment without an organizer is not synchronized</source>
        <translation>Un rendez-vous sans organisateur n’est pas synchronisé</translation>
    </message>
</context>
<context>
    <name>ActRecordDialog</name>
    <message>
        <source>New appointment</source>
        <translation>Nouveau rendez-vous</translation>
    </message>
    <message>
        <source>New contact</source>
        <translation>Nouveau contact</translation>
    </message>
    <message>
        <source>New task</source>
        <translation>Nouvelle tâche</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Propriétaire</translation>
    </message>
    <message>
        <source>&amp;Owner:</source>
        <translation>&amp;Propriétaire :</translation>
    </message>
    <message>
        <source>&amp;Subject:</source>
        <translation>&amp;Objet :</translation>
    </message>
    <message>
        <source>S&amp;tart:</source>
        <translation>&amp;Début :</translation>
    </message>
    <message>
        <source>&amp;End:</source>
        <translation>&amp;Fin :</translation>
    </message>
    <message>
        <source>&amp;All day</source>
        <translation>&amp;Toute la journée</translation>
    </message>
    <message>
        <source>&amp;Location:</source>
        <translation>&amp;Lieu :</translation>
    </message>
    <message>
        <source>O&amp;rganizer:</source>
        <translation>O&amp;rganisateur :</translation>
    </message>
    <message>
        <source>Required to synchronize it</source>
        <translation>Nécessaire pour le synchroniser</translation>
    </message>
    <message>
        <source>Atte&amp;ndees:</source>
        <translation>Partici&amp;pants :</translation>
    </message>
    <message>
        <source>Addresses separated by commas</source>
        <translation>Adresses séparées par des virgules</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>D&amp;escription :</translation>
    </message>
    <message>
        <source>&amp;First name:</source>
        <translation>Pré&amp;nom :</translation>
    </message>
    <message>
        <source>&amp;Last name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;E-mail :</translation>
    </message>
    <message>
        <source>carol@contoso.com</source>
        <translation>carol@contoso.com</translation>
    </message>
    <message>
        <source>&amp;Company:</source>
        <translation>&amp;Société :</translation>
    </message>
    <message>
        <source>&amp;Job title:</source>
        <translation>&amp;Fonction :</translation>
    </message>
    <message>
        <source>Business &amp;phone:</source>
        <translation>&amp;Téléphone professionnel :</translation>
    </message>
    <message>
        <source>&amp;Mobile phone:</source>
        <translation>Téléphone &amp;mobile :</translation>
    </message>
    <message>
        <source>C&amp;ity:</source>
        <translation>&amp;Ville :</translation>
    </message>
    <message>
        <source>Co&amp;untry:</source>
        <translation>P&amp;ays :</translation>
    </message>
    <message>
        <source>&amp;Set</source>
        <translation>&amp;Définie</translation>
    </message>
    <message>
        <source>Due date:</source>
        <translation>Échéance :</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>Date d’échéance</translation>
    </message>
    <message>
        <source>S&amp;tatus:</source>
        <translation>É&amp;tat :</translation>
    </message>
    <message>
        <source>&amp;Priority:</source>
        <translation>Priori&amp;té :</translation>
    </message>
    <message>
        <source>% c&amp;omplete:</source>
        <translation>% a&amp;chevé :</translation>
    </message>
    <message>
        <source>Add a user first (Users &amp; queues): every record has an owner.</source>
        <translation>Ajoutez d’abord un utilisateur (Utilisateurs et files d’attente) : chaque enregistrement a un propriétaire.</translation>
    </message>
    <message>
        <source>an appointment needs a start</source>
        <translation>un rendez-vous doit avoir un début</translation>
    </message>
    <message>
        <source>the end is before the start</source>
        <translation>la fin est avant le début</translation>
    </message>
    <message>
        <source>an appointment needs a subject</source>
        <translation>un rendez-vous doit avoir un objet</translation>
    </message>
    <message>
        <source>a task needs a subject</source>
        <translation>une tâche doit avoir un objet</translation>
    </message>
    <message>
        <source>a contact needs a name or an email address</source>
        <translation>un contact doit avoir un nom ou une adresse e-mail</translation>
    </message>
    <message>
        <source>an email address is required</source>
        <translation>une adresse e-mail est nécessaire</translation>
    </message>
    <message>
        <source>{address} is not a valid email address</source>
        <translation>{address} n’est pas une adresse e-mail valide</translation>
    </message>
    <message>
        <source>add the record</source>
        <translation>ajouter l’enregistrement</translation>
    </message>
    <message>
        <source>choose the owner</source>
        <translation>choisissez le propriétaire</translation>
    </message>
</context>
<context>
    <name>ActRecordsPage</name>
    <message>
        <source>Appointments, contacts &amp; tasks</source>
        <translation>Rendez-vous, contacts et tâches</translation>
    </message>
    <message>
        <source>The CRM&apos;s appointments, contacts and tasks and where each stands with Exchange. A record goes to its owner&apos;s Exchange mailbox when one of the owner&apos;s sync filters selects it; items carrying the tracking category come to the CRM. Once linked, changes flow both ways.</source>
        <translation>Les rendez-vous, contacts et tâches du CRM et leur situation vis-à-vis d’Exchange. Un enregistrement va dans la boîte aux lettres Exchange de son propriétaire quand l’un des filtres de synchronisation du propriétaire le sélectionne ; les éléments portant la catégorie de suivi arrivent dans le CRM. Une fois reliés, les modifications circulent dans les deux sens.</translation>
    </message>
    <message>
        <source>Record type</source>
        <translation>Type d’enregistrement</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Propriétaire</translation>
    </message>
    <message>
        <source>All users</source>
        <translation>Tous les utilisateurs</translation>
    </message>
    <message>
        <source>Search (Ctrl+F)</source>
        <translation>Rechercher (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search records</source>
        <translation>Rechercher des enregistrements</translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation>&amp;Afficher :</translation>
    </message>
    <message>
        <source>O&amp;wner:</source>
        <translation>&amp;Propriétaire :</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>Enregistrements</translation>
    </message>
    <message>
        <source>No records of this type.</source>
        <translation>Aucun enregistrement de ce type.</translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation>&amp;Nouveau…</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Supprimer…</translation>
    </message>
    <message numerus="yes">
        <source>In conflict (%n field(s)): see Conflicts</source>
        <translation>
            <numerusform>En conflit (%n champ) : voir Conflits</numerusform>
            <numerusform>En conflit (%n champs) : voir Conflits</numerusform>
        </translation>
    </message>
    <message>
        <source>Linked in {mailboxes}</source>
        <translation>Relié dans {mailboxes}</translation>
    </message>
    <message>
        <source>Waiting: goes to Exchange next cycle</source>
        <translation>En attente : va dans Exchange au prochain cycle</translation>
    </message>
    <message>
        <source>Not linked: its owner&apos;s mailbox does not sync it</source>
        <translation>Non relié : la boîte aux lettres de son propriétaire ne le synchronise pas</translation>
    </message>
    <message>
        <source>Not linked: no sync filter selects it</source>
        <translation>Non relié : aucun filtre de synchronisation ne le sélectionne</translation>
    </message>
    <message>
        <source>A sync filter of its owner selects it: the next synchronization of the owner&apos;s mailbox creates it in Exchange and links it.</source>
        <translation>Un filtre de synchronisation de son propriétaire le sélectionne : la prochaine synchronisation de la boîte aux lettres du propriétaire le crée dans Exchange et le relie.</translation>
    </message>
    <message>
        <source>Its owner has no Exchange mailbox with appointments, contacts and tasks enabled (approved, and passed Test &amp; Enable), so it stays in the CRM only.</source>
        <translation>Son propriétaire n’a pas de boîte aux lettres Exchange dont les rendez-vous, contacts et tâches sont activés (approuvée, et ayant réussi Tester et activer) : il reste dans le CRM seulement.</translation>
    </message>
    <message>
        <source>No active sync filter of its owner selects it, so it stays in the CRM only. Sync filters are set in the user&apos;s options (Synchronization tab) or with desktop-sync filter add.</source>
        <translation>Aucun filtre de synchronisation actif de son propriétaire ne le sélectionne : il reste dans le CRM seulement. Les filtres de synchronisation se règlent dans les options de l’utilisateur (onglet Synchronisation) ou avec desktop-sync filter add.</translation>
    </message>
    <message>
        <source>Exchange</source>
        <translation>Exchange</translation>
    </message>
    <message>
        <source>Exchange items: {items}</source>
        <translation>Éléments Exchange : {items}</translation>
    </message>
    <message>
        <source>No appointments.</source>
        <translation>Aucun rendez-vous.</translation>
    </message>
    <message>
        <source>No contacts.</source>
        <translation>Aucun contact.</translation>
    </message>
    <message>
        <source>No tasks.</source>
        <translation>Aucune tâche.</translation>
    </message>
    <message>
        <source>refresh the records</source>
        <translation>actualiser les enregistrements</translation>
    </message>
    <message>
        <source>open the new record dialog</source>
        <translation>ouvrir la fenêtre de nouvel enregistrement</translation>
    </message>
    <message>
        <source>Delete “{title}” from the CRM? At the next synchronization its Exchange item is deleted too, where the rules allow (a meeting only when its owner organizes it and it is still to come).</source>
        <translation>Supprimer « {title} » du CRM ? À la prochaine synchronisation, son élément Exchange est supprimé aussi, là où les règles le permettent (une réunion seulement si son propriétaire l’organise et qu’elle est à venir).</translation>
    </message>
    <message>
        <source>Delete {type}</source>
        <translation>Supprimer : {type}</translation>
    </message>
    <message>
        <source>delete the record</source>
        <translation>supprimer l’enregistrement</translation>
    </message>
    <message>
        <source>{type} deleted: {title}.</source>
        <translation>Suppression effectuée : {title} ({type}).</translation>
    </message>
    <message>
        <source>{type} added: {title}.</source>
        <translation>{type} ajouté : {title}.</translation>
    </message>
</context>
<context>
    <name>ActivitiesPage</name>
    <message>
        <source>Activities</source>
        <translation>Activités</translation>
    </message>
    <message>
        <source>Email tracked into the CRM and sent from it, newest first, with why each one was tracked.</source>
        <translation>Les e-mails suivis dans le CRM et envoyés depuis celui-ci, du plus récent au plus ancien, avec la raison de leur suivi.</translation>
    </message>
    <message>
        <source>Search subject or address (Ctrl+F)</source>
        <translation>Rechercher un objet ou une adresse (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search activities</source>
        <translation>Rechercher des activités</translation>
    </message>
    <message>
        <source>Show activities of mailbox</source>
        <translation>Afficher les activités de la boîte aux lettres</translation>
    </message>
    <message>
        <source>All mailboxes</source>
        <translation>Toutes les boîtes aux lettres</translation>
    </message>
    <message>
        <source>Show activities of direction</source>
        <translation>Afficher les activités dans le sens</translation>
    </message>
    <message>
        <source>Incoming and outgoing</source>
        <translation>Entrants et sortants</translation>
    </message>
    <message>
        <source>Incoming</source>
        <translation>Entrant</translation>
    </message>
    <message>
        <source>Outgoing</source>
        <translation>Sortant</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>Sens</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <source>From</source>
        <translation>De</translation>
    </message>
    <message>
        <source>Mailbox</source>
        <translation>Boîte aux lettres</translation>
    </message>
    <message>
        <source>Why tracked</source>
        <translation>Raison du suivi</translation>
    </message>
    <message>
        <source>No tracked email yet.</source>
        <translation>Aucun e-mail suivi pour l&apos;instant.</translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation>Objet :</translation>
    </message>
    <message>
        <source>Date:</source>
        <translation>Date :</translation>
    </message>
    <message>
        <source>Mailbox:</source>
        <translation>Boîte aux lettres :</translation>
    </message>
    <message>
        <source>Why tracked:</source>
        <translation>Raison du suivi :</translation>
    </message>
    <message>
        <source>Regarding:</source>
        <translation>Concernant :</translation>
    </message>
    <message>
        <source>Parties:</source>
        <translation>Participants :</translation>
    </message>
    <message>
        <source>Attachment</source>
        <translation>Pièce jointe</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Remarque</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>Pièces jointes</translation>
    </message>
    <message>
        <source>&amp;Save attachment…</source>
        <translation>&amp;Enregistrer la pièce jointe…</translation>
    </message>
    <message>
        <source>Message body</source>
        <translation>Corps du message</translation>
    </message>
    <message>
        <source>Images and other remote content are not loaded.</source>
        <translation>Les images et les autres contenus distants ne sont pas chargés.</translation>
    </message>
    <message>
        <source>user</source>
        <translation>utilisateur</translation>
    </message>
    <message>
        <source>queue</source>
        <translation>file d&apos;attente</translation>
    </message>
    <message>
        <source>contact</source>
        <translation>contact</translation>
    </message>
    <message>
        <source>account</source>
        <translation>compte</translation>
    </message>
    <message>
        <source>lead</source>
        <translation>prospect</translation>
    </message>
    <message>
        <source>appointment</source>
        <translation>rendez-vous</translation>
    </message>
    <message>
        <source>task</source>
        <translation>tâche</translation>
    </message>
    <message>
        <source>email</source>
        <translation>e-mail</translation>
    </message>
    <message>
        <source>all mail of a queue mailbox</source>
        <translation>tout le courrier d&apos;une boîte de file d&apos;attente</translation>
    </message>
    <message>
        <source>the user tracks all mail</source>
        <translation>l&apos;utilisateur suit tout le courrier</translation>
    </message>
    <message>
        <source>a reply to tracked mail</source>
        <translation>une réponse à un e-mail suivi</translation>
    </message>
    <message>
        <source>from a known contact, account or lead</source>
        <translation>d&apos;un contact, compte ou prospect connu</translation>
    </message>
    <message>
        <source>a reply</source>
        <translation>une réponse</translation>
    </message>
    <message>
        <source>in the tracked folder {folder}</source>
        <translation>dans le dossier suivi {folder}</translation>
    </message>
    <message>
        <source>by In-Reply-To</source>
        <translation>par In-Reply-To</translation>
    </message>
    <message>
        <source>by the tracking token in the subject</source>
        <translation>par le jeton de suivi de l&apos;objet</translation>
    </message>
    <message>
        <source>by References</source>
        <translation>par References</translation>
    </message>
    <message>
        <source>by smart matching</source>
        <translation>par correspondance intelligente</translation>
    </message>
    <message>
        <source>To</source>
        <translation>À</translation>
    </message>
    <message>
        <source>Cc</source>
        <translation>Cc</translation>
    </message>
    <message>
        <source>Bcc</source>
        <translation>Cci</translation>
    </message>
    <message>
        <source>not in the CRM</source>
        <translation>absent du CRM</translation>
    </message>
    <message>
        <source>{size} B</source>
        <translation>{size} o</translation>
    </message>
    <message>
        <source>{size} KB</source>
        <translation>{size} Ko</translation>
    </message>
    <message>
        <source>{size} MB</source>
        <translation>{size} Mo</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>(sans objet)</translation>
    </message>
    <message>
        <source>No activity matches the search and filters.</source>
        <translation>Aucune activité ne correspond à la recherche et aux filtres.</translation>
    </message>
    <message>
        <source>refresh the activities</source>
        <translation>actualiser les activités</translation>
    </message>
    <message>
        <source>show the activity</source>
        <translation>afficher l&apos;activité</translation>
    </message>
    <message>
        <source>Select an activity to see its details.</source>
        <translation>Sélectionnez une activité pour en voir le détail.</translation>
    </message>
    <message>
        <source>correlated with “{subject}” {method}</source>
        <translation>rattaché à « {subject} » {method}</translation>
    </message>
    <message>
        <source>correlated with an earlier email {method}</source>
        <translation>rattaché à un e-mail précédent {method}</translation>
    </message>
    <message>
        <source>accepted by the mailbox {address}</source>
        <translation>accepté par la boîte aux lettres {address}</translation>
    </message>
    <message>
        <source>a record that no longer exists</source>
        <translation>un enregistrement qui n&apos;existe plus</translation>
    </message>
    <message>
        <source>{name} ({kind})</source>
        <translation>{name} ({kind})</translation>
    </message>
    <message>
        <source>over the size limit: not stored</source>
        <translation>au-delà de la taille maximale : non conservée</translation>
    </message>
    <message>
        <source>[image {alt}]</source>
        <translation>[image {alt}]</translation>
    </message>
    <message>
        <source>[image]</source>
        <translation>[image]</translation>
    </message>
    <message>
        <source>Save attachment</source>
        <translation>Enregistrer la pièce jointe</translation>
    </message>
    <message>
        <source>save the attachment</source>
        <translation>enregistrer la pièce jointe</translation>
    </message>
    <message>
        <source>Saved {name} to {path}.</source>
        <translation>{name} enregistré dans {path}.</translation>
    </message>
</context>
<context>
    <name>AlertsPage</name>
    <message>
        <source>Alerts</source>
        <translation>Alertes</translation>
    </message>
    <message>
        <source>Errors, warnings and information about mailboxes and server profiles, each with its cause and how to fix it.</source>
        <translation>Erreurs, avertissements et informations sur les boîtes aux lettres et les profils de serveur, chacun avec sa cause et la façon de le corriger.</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Gravité</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Mailbox</source>
        <translation>Boîte aux lettres</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>Profil</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Ce qui s&apos;est passé</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>Cause</translation>
    </message>
    <message>
        <source>Fix</source>
        <translation>Correction</translation>
    </message>
    <message>
        <source>No alerts.</source>
        <translation>Aucune alerte.</translation>
    </message>
    <message>
        <source>All severities</source>
        <translation>Toutes les gravités</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Erreurs</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Avertissements</translation>
    </message>
    <message>
        <source>Information</source>
        <translation>Information</translation>
    </message>
    <message>
        <source>Mailbox or profile</source>
        <translation>Boîte ou profil</translation>
    </message>
    <message>
        <source>All mailboxes and profiles</source>
        <translation>Toutes les boîtes et tous les profils</translation>
    </message>
    <message>
        <source>Show &amp;cleared</source>
        <translation>Afficher les &amp;effacées</translation>
    </message>
    <message>
        <source>&amp;Severity:</source>
        <translation>&amp;Gravité :</translation>
    </message>
    <message>
        <source>&amp;Mailbox or profile:</source>
        <translation>&amp;Boîte ou profil :</translation>
    </message>
    <message>
        <source>C&amp;lear selected</source>
        <translation>&amp;Effacer la sélection</translation>
    </message>
    <message>
        <source>Con&amp;firm changes</source>
        <translation>Con&amp;firmer les modifications</translation>
    </message>
    <message>
        <source>Run once the held plan this alert describes (the changes are applied as listed)</source>
        <translation>Exécuter une fois le plan suspendu que décrit cette alerte (les modifications sont appliquées telles que listées)</translation>
    </message>
    <message>
        <source>Alert details</source>
        <translation>Détails de l&apos;alerte</translation>
    </message>
    <message>
        <source>Mailbox {address}</source>
        <translation>Boîte {address}</translation>
    </message>
    <message>
        <source>Profile {name}</source>
        <translation>Profil {name}</translation>
    </message>
    <message>
        <source>Select an alert to read its cause and how to fix it.</source>
        <translation>Sélectionnez une alerte pour lire sa cause et la façon de la corriger.</translation>
    </message>
    <message>
        <source>&lt;b&gt;{title}&lt;/b&gt; ({severity}, {when}, mailbox {mailbox}, profile {profile})&lt;br&gt;{cause}</source>
        <translation>&lt;b&gt;{title}&lt;/b&gt; ({severity}, {when}, boîte {mailbox}, profil {profile})&lt;br&gt;{cause}</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;b&gt;How to fix it:&lt;/b&gt; {fix}</source>
        <translation>&lt;br&gt;&lt;b&gt;Comment corriger :&lt;/b&gt; {fix}</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Erreur</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Avertissement</translation>
    </message>
    <message>
        <source>refresh the alerts</source>
        <translation>actualiser les alertes</translation>
    </message>
    <message>
        <source>confirm the held changes</source>
        <translation>confirmer les modifications suspendues</translation>
    </message>
    <message>
        <source>The held changes of {address} were applied once.</source>
        <translation>Les modifications suspendues de {address} ont été appliquées une fois.</translation>
    </message>
    <message>
        <source>The changes of {address} changed since they were held: nothing was applied, and the new plan waits. Preview it, then confirm again.</source>
        <translation>Les modifications de {address} ont changé depuis leur suspension : rien n’a été appliqué, et le nouveau plan attend. Prévisualisez-le, puis confirmez à nouveau.</translation>
    </message>
    <message>
        <source>Nothing waits for confirmation for {address}.</source>
        <translation>Rien n’attend de confirmation pour {address}.</translation>
    </message>
    <message>
        <source>clear the alerts</source>
        <translation>effacer les alertes</translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) cleared.</source>
        <translation>
            <numerusform>%n alerte effacée.</numerusform>
            <numerusform>%n alertes effacées.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ApplyProfileDialog</name>
    <message>
        <source>Apply a server profile</source>
        <translation>Appliquer un profil de serveur</translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es) will use this profile. Their synchronization stops until you run Test &amp; Enable again.</source>
        <translation>
            <numerusform>%n boîte aux lettres utilisera ce profil. Sa synchronisation s&apos;arrête jusqu&apos;à ce que vous relanciez Tester et activer.</numerusform>
            <numerusform>%n boîtes aux lettres utiliseront ce profil. Leur synchronisation s&apos;arrête jusqu&apos;à ce que vous relanciez Tester et activer.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Profile:</source>
        <translation>&amp;Profil :</translation>
    </message>
</context>
<context>
    <name>ConflictsPage</name>
    <message>
        <source>Conflicts</source>
        <translation>Conflits</translation>
    </message>
    <message>
        <source>Fields changed both in the CRM and in Exchange since the last synchronization. Choose which value stays; the next synchronization carries it to the other side.</source>
        <translation>Les champs modifiés à la fois dans le CRM et dans Exchange depuis la dernière synchronisation. Choisissez la valeur qui reste ; la prochaine synchronisation la reporte de l’autre côté.</translation>
    </message>
    <message>
        <source>Default policy</source>
        <translation>Règle par défaut</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Enregistrement</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Champ</translation>
    </message>
    <message>
        <source>CRM value</source>
        <translation>Valeur du CRM</translation>
    </message>
    <message>
        <source>Exchange value</source>
        <translation>Valeur d’Exchange</translation>
    </message>
    <message>
        <source>Value kept now</source>
        <translation>Valeur conservée</translation>
    </message>
    <message>
        <source>Mailbox</source>
        <translation>Boîte aux lettres</translation>
    </message>
    <message>
        <source>Detected</source>
        <translation>Détecté</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Résolution</translation>
    </message>
    <message>
        <source>No conflicts to resolve.</source>
        <translation>Aucun conflit à résoudre.</translation>
    </message>
    <message>
        <source>Keep &amp;CRM</source>
        <translation>Garder le &amp;CRM</translation>
    </message>
    <message>
        <source>Keep the CRM&apos;s value; Exchange gets it in the next synchronization</source>
        <translation>Garder la valeur du CRM ; Exchange la reçoit à la prochaine synchronisation</translation>
    </message>
    <message>
        <source>Keep &amp;Exchange</source>
        <translation>Garder &amp;Exchange</translation>
    </message>
    <message>
        <source>Put Exchange&apos;s value in the CRM record; the link keeps both sides equal</source>
        <translation>Mettre la valeur d’Exchange dans l’enregistrement du CRM ; le lien garde les deux côtés identiques</translation>
    </message>
    <message>
        <source>Keep &amp;both</source>
        <translation>Garder les &amp;deux</translation>
    </message>
    <message>
        <source>Keep the CRM record as it is and add a copy of it with Exchange&apos;s value</source>
        <translation>Garder l’enregistrement du CRM tel quel et en ajouter une copie avec la valeur d’Exchange</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>Show &amp;resolved</source>
        <translation>Afficher les &amp;résolus</translation>
    </message>
    <message>
        <source>the CRM&apos;s value is kept and sent to Exchange</source>
        <translation>la valeur du CRM est conservée et envoyée à Exchange</translation>
    </message>
    <message>
        <source>Exchange&apos;s value is kept and written to the CRM</source>
        <translation>la valeur d’Exchange est conservée et écrite dans le CRM</translation>
    </message>
    <message>
        <source>the CRM&apos;s value is kept, and a copy is made with Exchange&apos;s value</source>
        <translation>la valeur du CRM est conservée, et une copie est faite avec la valeur d’Exchange</translation>
    </message>
    <message>
        <source>Default policy: when the same field changed on both sides, {kept}; the conflict is listed here until you confirm that choice or make another.</source>
        <translation>Règle par défaut : quand le même champ a changé des deux côtés, {kept} ; le conflit reste listé ici jusqu’à ce que vous confirmiez ce choix ou en fassiez un autre.</translation>
    </message>
    <message>
        <source>Kept the CRM&apos;s</source>
        <translation>CRM conservé</translation>
    </message>
    <message>
        <source>Kept Exchange&apos;s</source>
        <translation>Exchange conservé</translation>
    </message>
    <message>
        <source>Kept both (a copy)</source>
        <translation>Les deux conservés (une copie)</translation>
    </message>
    <message>
        <source>(a deleted record)</source>
        <translation>(un enregistrement supprimé)</translation>
    </message>
    <message>
        <source>CRM</source>
        <translation>CRM</translation>
    </message>
    <message>
        <source>Exchange</source>
        <translation>Exchange</translation>
    </message>
    <message>
        <source>CRM, and a copy</source>
        <translation>CRM, et une copie</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Ouvert</translation>
    </message>
    <message>
        <source>refresh the conflicts</source>
        <translation>actualiser les conflits</translation>
    </message>
    <message>
        <source>resolve the conflicts</source>
        <translation>résoudre les conflits</translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s) resolved: {choice}.</source>
        <translation>
            <numerusform>%n conflit résolu : {choice}.</numerusform>
            <numerusform>%n conflits résolus : {choice}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConnectionTest</name>
    <message>
        <source>Resolve the server&apos;s name</source>
        <translation>Résoudre le nom du serveur</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Se connecter</translation>
    </message>
    <message>
        <source>Secure the connection (TLS)</source>
        <translation>Sécuriser la connexion (TLS)</translation>
    </message>
    <message>
        <source>Get an access token</source>
        <translation>Obtenir un jeton d&apos;accès</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>S&apos;authentifier</translation>
    </message>
    <message>
        <source>List folders</source>
        <translation>Lister les dossiers</translation>
    </message>
    <message>
        <source>Accept a sender</source>
        <translation>Accepter un expéditeur</translation>
    </message>
    <message>
        <source>Open the mailbox</source>
        <translation>Ouvrir la boîte aux lettres</translation>
    </message>
    <message>
        <source>Incoming email</source>
        <translation>E-mail entrant</translation>
    </message>
    <message>
        <source>Outgoing email</source>
        <translation>E-mail sortant</translation>
    </message>
    <message>
        <source>Appointments, contacts and tasks</source>
        <translation>Rendez-vous, contacts et tâches</translation>
    </message>
</context>
<context>
    <name>ConnectionTestResults</name>
    <message>
        <source>Step</source>
        <translation>Étape</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Test results</source>
        <translation>Résultats du test</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>Test en cours…</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Passed</source>
        <translation>Réussi</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échec</translation>
    </message>
    <message>
        <source>{ms} ms</source>
        <translation>{ms} ms</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(aucune)</translation>
    </message>
    <message>
        <source>{channel}
&gt; {request}
&lt; {response}</source>
        <translation>{channel}
&gt; {request}
&lt; {response}</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <source>Dashboard</source>
        <translation>Tableau de bord</translation>
    </message>
    <message>
        <source>Live performance counters of the sync engine.</source>
        <translation>Compteurs de performance en direct du moteur de synchronisation.</translation>
    </message>
    <message>
        <source>The sync engine is not running in this window, so there is nothing to count.</source>
        <translation>Le moteur de synchronisation ne tourne pas dans cette fenêtre : il n&apos;y a rien à compter.</translation>
    </message>
    <message>
        <source>Waiting for the engine&apos;s counters</source>
        <translation>En attente des compteurs du moteur</translation>
    </message>
    <message>
        <source>No mail recorded in the last five minutes</source>
        <translation>Aucun courrier enregistré ces cinq dernières minutes</translation>
    </message>
    <message>
        <source>No mail recorded in the last five minutes.</source>
        <translation>Aucun courrier enregistré ces cinq dernières minutes.</translation>
    </message>
    <message numerus="yes">
        <source>Median of %n mail(s) in the last five minutes; 95 % within {slowest} s.</source>
        <translation>
            <numerusform>Médiane de %n courrier des cinq dernières minutes ; 95 % en {slowest} s au plus.</numerusform>
            <numerusform>Médiane de %n courriers des cinq dernières minutes ; 95 % en {slowest} s au plus.</numerusform>
        </translation>
    </message>
    <message>
        <source>Queue lengths (waiting and running)</source>
        <translation>Longueur des files (en attente et en cours)</translation>
    </message>
    <message>
        <source>Items per second</source>
        <translation>Éléments par seconde</translation>
    </message>
    <message>
        <source>Sync delay, from finding mail to recording it (seconds)</source>
        <translation>Délai de synchronisation, de la découverte du courrier à son enregistrement (secondes)</translation>
    </message>
    <message>
        <source>Mailboxes by state</source>
        <translation>Boîtes aux lettres par état</translation>
    </message>
    <message>
        <source>Mailbox sync</source>
        <translation>Synchro des boîtes</translation>
    </message>
    <message>
        <source>Outgoing mail</source>
        <translation>Courrier sortant</translation>
    </message>
    <message>
        <source>Operations</source>
        <translation>Opérations</translation>
    </message>
    <message>
        <source>Errors since the counters started: {count}</source>
        <translation>Erreurs depuis le démarrage des compteurs : {count}</translation>
    </message>
    <message>
        <source>Synchronization is paused; resume it from the tray or the File menu.</source>
        <translation>La synchronisation est suspendue ; reprenez-la depuis la zone de notification ou le menu Fichier.</translation>
    </message>
    <message>
        <source>The sync engine is stopped.</source>
        <translation>Le moteur de synchronisation est arrêté.</translation>
    </message>
    <message>
        <source>No mail connectors are available in this installation, so the sync engine does not run.</source>
        <translation>Aucun connecteur de messagerie n&apos;est disponible dans cette installation : le moteur de synchronisation ne tourne pas.</translation>
    </message>
    <message>
        <source>The sync engine could not start: {detail}</source>
        <translation>Le moteur de synchronisation n&apos;a pas pu démarrer : {detail}</translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es)</source>
        <translation>
            <numerusform>%n boîte aux lettres</numerusform>
            <numerusform>%n boîtes aux lettres</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DirectoryEntryDialog</name>
    <message>
        <source>New user</source>
        <translation>Nouvel utilisateur</translation>
    </message>
    <message>
        <source>New queue</source>
        <translation>Nouvelle file d&apos;attente</translation>
    </message>
    <message>
        <source>alice@example.com</source>
        <translation>alice@example.com</translation>
    </message>
    <message>
        <source>Optional: the record&apos;s GUID in the CRM</source>
        <translation>Facultatif : le GUID de l&apos;enregistrement dans le CRM</translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;E-mail :</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <source>&amp;CRM id:</source>
        <translation>Identifiant &amp;CRM :</translation>
    </message>
    <message>
        <source>add the entry</source>
        <translation>ajouter l&apos;entrée</translation>
    </message>
</context>
<context>
    <name>DirectoryPage</name>
    <message>
        <source>Users &amp; queues</source>
        <translation>Utilisateurs et files d&apos;attente</translation>
    </message>
    <message>
        <source>CRM users and shared queues, the mailbox each one owns, and what it tracks.</source>
        <translation>Les utilisateurs du CRM et les files d&apos;attente partagées, la boîte aux lettres de chacun et ce qu&apos;il suit.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Mailbox</source>
        <translation>Boîte aux lettres</translation>
    </message>
    <message>
        <source>Tracked email</source>
        <translation>E-mails suivis</translation>
    </message>
    <message>
        <source>No users or queues yet.</source>
        <translation>Aucun utilisateur ni aucune file d&apos;attente pour l&apos;instant.</translation>
    </message>
    <message>
        <source>Add &amp;user…</source>
        <translation>Ajouter un &amp;utilisateur…</translation>
    </message>
    <message>
        <source>Add &amp;queue…</source>
        <translation>Ajouter une &amp;file d&apos;attente…</translation>
    </message>
    <message>
        <source>User &amp;options…</source>
        <translation>&amp;Options de l&apos;utilisateur…</translation>
    </message>
    <message>
        <source>All email</source>
        <translation>Tous les e-mails</translation>
    </message>
    <message>
        <source>Replies to tracked email</source>
        <translation>Réponses aux e-mails suivis</translation>
    </message>
    <message>
        <source>Email from known contacts, accounts and leads</source>
        <translation>E-mails des contacts, comptes et prospects connus</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Aucun</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilisateur</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>File d&apos;attente</translation>
    </message>
    <message>
        <source>open the user&apos;s options</source>
        <translation>ouvrir les options de l&apos;utilisateur</translation>
    </message>
    <message>
        <source>refresh the list</source>
        <translation>actualiser la liste</translation>
    </message>
</context>
<context>
    <name>EmailTab</name>
    <message>
        <source>&amp;All email messages</source>
        <translation>&amp;Tous les e-mails</translation>
    </message>
    <message>
        <source>&amp;Replies to email tracked in the CRM</source>
        <translation>Les &amp;réponses aux e-mails suivis dans le CRM</translation>
    </message>
    <message>
        <source>Email from &amp;known contacts, accounts and leads (and replies)</source>
        <translation>Les e-mails des contacts, comptes et prospects &amp;connus (et les réponses)</translation>
    </message>
    <message>
        <source>&amp;No email messages</source>
        <translation>&amp;Aucun e-mail</translation>
    </message>
    <message>
        <source>Which incoming email is tracked into the CRM:</source>
        <translation>Les e-mails entrants suivis dans le CRM :</translation>
    </message>
    <message>
        <source>Mail in a tracked folder (see Tracked folders) is tracked whatever is chosen here.</source>
        <translation>Le courrier d&apos;un dossier suivi (voir Dossiers suivis) est suivi quel que soit le choix fait ici.</translation>
    </message>
    <message>
        <source>Create a &amp;contact for the unknown sender of tracked email</source>
        <translation>Créer un con&amp;tact pour l&apos;expéditeur inconnu d&apos;un e-mail suivi</translation>
    </message>
</context>
<context>
    <name>EnablementResultsDialog</name>
    <message>
        <source>Test &amp; Enable results</source>
        <translation>Résultats de Tester et activer</translation>
    </message>
    <message>
        <source>Mailbox</source>
        <translation>Boîte aux lettres</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Canal</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>Que faire</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tous</translation>
    </message>
    <message>
        <source>Approval</source>
        <translation>Approbation</translation>
    </message>
    <message>
        <source>Not approved</source>
        <translation>Non approuvée</translation>
    </message>
    <message>
        <source>Approve the mailbox, then run Test &amp; Enable again.</source>
        <translation>Approuvez la boîte aux lettres, puis relancez Tester et activer.</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <source>&lt;b&gt;How to fix it:&lt;/b&gt; {fix}</source>
        <translation>&lt;b&gt;Comment corriger :&lt;/b&gt; {fix}</translation>
    </message>
    <message>
        <source>&amp;Details</source>
        <translation>&amp;Détails</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>&amp;Copier les détails</translation>
    </message>
    <message>
        <source>How to fix it: {fix}</source>
        <translation>Comment corriger : {fix}</translation>
    </message>
</context>
<context>
    <name>ErrorPresenter</name>
    <message>
        <source>Could not {action}</source>
        <translation>Impossible de {action}</translation>
    </message>
    <message>
        <source>Some input is not valid</source>
        <translation>Certaines saisies ne sont pas valides</translation>
    </message>
    <message>
        <source>Correct the fields named above and try again.</source>
        <translation>Corrigez les champs indiqués ci-dessus et réessayez.</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>Introuvable</translation>
    </message>
    <message>
        <source>It may have been changed or removed elsewhere; refresh the view and try again.</source>
        <translation>Il a peut-être été modifié ou supprimé ailleurs ; actualisez l&apos;affichage et réessayez.</translation>
    </message>
    <message>
        <source>The action failed</source>
        <translation>L&apos;action a échoué</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation>Erreur inattendue</translation>
    </message>
    <message>
        <source>This is a bug in Desktop Sync. Copy the details below into a bug report.</source>
        <translation>C&apos;est un bogue de Desktop Sync. Copiez les détails ci-dessous dans un rapport de bogue.</translation>
    </message>
</context>
<context>
    <name>FailedItemsPage</name>
    <message>
        <source>Failed items</source>
        <translation>Éléments en échec</translation>
    </message>
    <message>
        <source>Mail and appointments that could not be synchronized, why, and a way to retry them.</source>
        <translation>Le courrier et les rendez-vous qui n&apos;ont pas pu être synchronisés, pourquoi, et un moyen de les réessayer.</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Élément</translation>
    </message>
    <message>
        <source>From</source>
        <translation>De</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Mailbox</source>
        <translation>Boîte aux lettres</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Canal</translation>
    </message>
    <message>
        <source>Why it failed</source>
        <translation>Raison de l’échec</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Tentatives</translation>
    </message>
    <message>
        <source>Last attempt</source>
        <translation>Dernière tentative</translation>
    </message>
    <message>
        <source>Next retry</source>
        <translation>Prochain essai</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>No failed items.</source>
        <translation>Aucun élément en échec.</translation>
    </message>
    <message>
        <source>&amp;Retry selected</source>
        <translation>&amp;Réessayer la sélection</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>Show &amp;resolved</source>
        <translation>Afficher les &amp;résolus</translation>
    </message>
    <message>
        <source>Incoming email</source>
        <translation>E-mail entrant</translation>
    </message>
    <message>
        <source>Outgoing email</source>
        <translation>E-mail sortant</translation>
    </message>
    <message>
        <source>Appointments, contacts, tasks</source>
        <translation>Rendez-vous, contacts, tâches</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>(sans objet)</translation>
    </message>
    <message>
        <source>An appointment, contact or task</source>
        <translation>Un rendez-vous, un contact ou une tâche</translation>
    </message>
    <message>
        <source>A message in {folder}</source>
        <translation>Un message dans {folder}</translation>
    </message>
    <message>
        <source>A message</source>
        <translation>Un message</translation>
    </message>
    <message>
        <source>From: {sender}</source>
        <translation>De : {sender}</translation>
    </message>
    <message>
        <source>Date: {date}</source>
        <translation>Date : {date}</translation>
    </message>
    <message>
        <source>Folder: {folder}</source>
        <translation>Dossier : {folder}</translation>
    </message>
    <message>
        <source>Server reference (for support): {ref}</source>
        <translation>Référence sur le serveur (pour l&apos;assistance) : {ref}</translation>
    </message>
    <message>
        <source>{title}: {reason}</source>
        <translation>{title} : {reason}</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Résolu</translation>
    </message>
    <message>
        <source>Permanent</source>
        <translation>Définitif</translation>
    </message>
    <message>
        <source>Will be retried</source>
        <translation>Sera réessayé</translation>
    </message>
    <message>
        <source>refresh the failed items</source>
        <translation>actualiser les éléments en échec</translation>
    </message>
    <message>
        <source>retry the failed items</source>
        <translation>réessayer les éléments en échec</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) will be retried in their mailbox&apos;s next cycle.</source>
        <translation>
            <numerusform>%n élément sera réessayé au prochain cycle de sa boîte aux lettres.</numerusform>
            <numerusform>%n éléments seront réessayés au prochain cycle de leur boîte aux lettres.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FilterEditorDialog</name>
    <message>
        <source>Edit filter — {kind}</source>
        <translation>Modifier le filtre — {kind}</translation>
    </message>
    <message>
        <source>New filter — {kind}</source>
        <translation>Nouveau filtre — {kind}</translation>
    </message>
    <message>
        <source>e.g. My open tasks</source>
        <translation>p. ex. Mes tâches ouvertes</translation>
    </message>
    <message>
        <source>all of the rules (AND)</source>
        <translation>toutes les règles (ET)</translation>
    </message>
    <message>
        <source>any of the rules (OR)</source>
        <translation>l&apos;une des règles (OU)</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <source>&amp;Synchronize records matching:</source>
        <translation>&amp;Synchroniser les enregistrements vérifiant :</translation>
    </message>
    <message>
        <source>&amp;Add a rule</source>
        <translation>&amp;Ajouter une règle</translation>
    </message>
    <message>
        <source>Rules:</source>
        <translation>Règles :</translation>
    </message>
    <message numerus="yes">
        <source>This filter also has %n nested group(s) of rules, kept as they are:</source>
        <translation>
            <numerusform>Ce filtre a aussi %n groupe de règles imbriqué, conservé tel quel :</numerusform>
            <numerusform>Ce filtre a aussi %n groupes de règles imbriqués, conservés tels quels :</numerusform>
        </translation>
    </message>
    <message>
        <source>A filter needs at least one rule.</source>
        <translation>Un filtre doit avoir au moins une règle.</translation>
    </message>
    <message>
        <source>save the filter</source>
        <translation>enregistrer le filtre</translation>
    </message>
</context>
<context>
    <name>FilterTexts</name>
    <message>
        <source>Appointments</source>
        <translation>Rendez-vous</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>Tâches</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Lieu</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Début</translation>
    </message>
    <message>
        <source>End</source>
        <translation>Fin</translation>
    </message>
    <message>
        <source>All day</source>
        <translation>Toute la journée</translation>
    </message>
    <message>
        <source>Organizer</source>
        <translation>Organisateur</translation>
    </message>
    <message>
        <source>Attendees</source>
        <translation>Participants</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Propriétaire</translation>
    </message>
    <message>
        <source>Regarding</source>
        <translation>Concernant</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Nom complet</translation>
    </message>
    <message>
        <source>First name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <source>Last name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>Société</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>Modified on</source>
        <translation>Modifié le</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Échéance</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorité</translation>
    </message>
    <message>
        <source>Percent complete</source>
        <translation>Pourcentage effectué</translation>
    </message>
    <message>
        <source>equals</source>
        <translation>est égal à</translation>
    </message>
    <message>
        <source>does not equal</source>
        <translation>est différent de</translation>
    </message>
    <message>
        <source>contains</source>
        <translation>contient</translation>
    </message>
    <message>
        <source>does not contain</source>
        <translation>ne contient pas</translation>
    </message>
    <message>
        <source>begins with</source>
        <translation>commence par</translation>
    </message>
    <message>
        <source>ends with</source>
        <translation>se termine par</translation>
    </message>
    <message>
        <source>is after / more than</source>
        <translation>est après / plus de</translation>
    </message>
    <message>
        <source>is on or after / at least</source>
        <translation>est le ou après / au moins</translation>
    </message>
    <message>
        <source>is before / less than</source>
        <translation>est avant / moins de</translation>
    </message>
    <message>
        <source>is on or before / at most</source>
        <translation>est le ou avant / au plus</translation>
    </message>
    <message>
        <source>is empty</source>
        <translation>est vide</translation>
    </message>
    <message>
        <source>is not empty</source>
        <translation>n&apos;est pas vide</translation>
    </message>
    <message>
        <source>in the last … days</source>
        <translation>dans les … derniers jours</translation>
    </message>
    <message>
        <source>in the next … days</source>
        <translation>dans les … prochains jours</translation>
    </message>
    <message>
        <source>is the user</source>
        <translation>est l&apos;utilisateur</translation>
    </message>
    <message>
        <source> AND </source>
        <translation> ET </translation>
    </message>
    <message>
        <source> OR </source>
        <translation> OU </translation>
    </message>
</context>
<context>
    <name>FirstRunPage</name>
    <message>
        <source>Welcome to Desktop Sync</source>
        <translation>Bienvenue dans Desktop Sync</translation>
    </message>
    <message>
        <source>Desktop Sync keeps your CRM in step with your mail servers: mail, contacts, tasks and appointments reach the CRM without any add-in on your users&apos; computers. Two steps get a first mailbox synchronizing:</source>
        <translation>Desktop Sync tient votre CRM à jour avec vos serveurs de messagerie : courrier, contacts, tâches et rendez-vous arrivent dans le CRM sans aucun complément sur les ordinateurs de vos utilisateurs. Deux étapes suffisent pour synchroniser une première boîte aux lettres :</translation>
    </message>
    <message>
        <source>1. Create a server profile</source>
        <translation>1. Créer un profil de serveur</translation>
    </message>
    <message>
        <source>The connection settings of one mail system: Exchange, IMAP and SMTP, or POP3 and SMTP.</source>
        <translation>Les paramètres de connexion d&apos;un système de messagerie : Exchange, IMAP et SMTP, ou POP3 et SMTP.</translation>
    </message>
    <message>
        <source>2. Add a mailbox</source>
        <translation>2. Ajouter une boîte aux lettres</translation>
    </message>
    <message>
        <source>A user&apos;s or a queue&apos;s mailbox on that server; approve it, then Test &amp;&amp; Enable it.</source>
        <translation>La boîte aux lettres d&apos;un utilisateur ou d&apos;une file d&apos;attente sur ce serveur ; approuvez-la, puis testez-la et activez-la.</translation>
    </message>
    <message>
        <source>Or migrate from the E-mail Router</source>
        <translation>Ou migrer depuis l&apos;E-mail Router</translation>
    </message>
    <message>
        <source>Read the router&apos;s configuration files and create its profiles and mailboxes here.</source>
        <translation>Lire les fichiers de configuration du routeur et créer ici ses profils et ses boîtes aux lettres.</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <source>less than a minute</source>
        <translation>moins d&apos;une minute</translation>
    </message>
    <message numerus="yes">
        <source>about %n min</source>
        <translation>
            <numerusform>environ %n min</numerusform>
            <numerusform>environ %n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n h</source>
        <translation>
            <numerusform>environ %n h</numerusform>
            <numerusform>environ %n h</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HeldChanges</name>
    <message>
        <source>The held changes of {address} were applied once.</source>
        <translation>Les modifications suspendues de {address} ont été appliquées une fois.</translation>
    </message>
    <message>
        <source>The changes of {address} changed since they were held: nothing was applied, and the new plan waits. Preview it, then confirm again.</source>
        <translation>Les modifications de {address} ont changé depuis leur suspension : rien n’a été appliqué, et le nouveau plan attend. Prévisualisez-le, puis confirmez à nouveau.</translation>
    </message>
    <message>
        <source>Nothing waits for confirmation for {address}.</source>
        <translation>Rien n’attend de confirmation pour {address}.</translation>
    </message>
</context>
<context>
    <name>MailboxDialog</name>
    <message>
        <source>This mailbox is mapped to {current}. Map it to {new} instead? The previous mapping and its synchronization will stop.</source>
        <translation>Cette boîte aux lettres est associée à {current}. L&apos;associer plutôt à {new} ? L&apos;association précédente et sa synchronisation s&apos;arrêteront.</translation>
    </message>
    <message>
        <source>{new} is mapped to {other}; that mapping and its synchronization will stop.</source>
        <translation>{new} est associé à {other} ; cette association et sa synchronisation s&apos;arrêteront.</translation>
    </message>
    <message>
        <source>Not synchronized</source>
        <translation>Non synchronisé</translation>
    </message>
    <message>
        <source>Server-side synchronization</source>
        <translation>Synchronisation côté serveur</translation>
    </message>
    <message>
        <source>Forward mailbox</source>
        <translation>Boîte de transfert</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Activé</translation>
    </message>
    <message>
        <source>Edit mailbox</source>
        <translation>Modifier la boîte aux lettres</translation>
    </message>
    <message>
        <source>New mailbox</source>
        <translation>Nouvelle boîte aux lettres</translation>
    </message>
    <message>
        <source>alice@example.com</source>
        <translation>alice@example.com</translation>
    </message>
    <message>
        <source>(nobody yet)</source>
        <translation>(personne pour l’instant)</translation>
    </message>
    <message>
        <source>User: {name} &lt;{email}&gt;</source>
        <translation>Utilisateur : {name} &lt;{email}&gt;</translation>
    </message>
    <message>
        <source>Queue: {name} &lt;{email}&gt;</source>
        <translation>File d&apos;attente : {name} &lt;{email}&gt;</translation>
    </message>
    <message>
        <source>The address when empty</source>
        <translation>L&apos;adresse si vide</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Mot de passe</translation>
    </message>
    <message>
        <source>Only mail received on or after</source>
        <translation>Uniquement le courrier reçu à partir du</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse :</translation>
    </message>
    <message>
        <source>Display &amp;name:</source>
        <translation>Nom d&apos;&amp;affichage :</translation>
    </message>
    <message>
        <source>Server &amp;profile:</source>
        <translation>Profil de &amp;serveur :</translation>
    </message>
    <message>
        <source>&amp;Owner:</source>
        <translation>&amp;Propriétaire :</translation>
    </message>
    <message>
        <source>&amp;Login:</source>
        <translation>&amp;Identifiant :</translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation>&amp;Mot de passe :</translation>
    </message>
    <message>
        <source>Process &amp;email from:</source>
        <translation>Traiter le &amp;courrier à partir du :</translation>
    </message>
    <message>
        <source>Approval:</source>
        <translation>Approbation :</translation>
    </message>
    <message>
        <source>&lt;b&gt;Channel&lt;/b&gt;</source>
        <translation>&lt;b&gt;Canal&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Method&lt;/b&gt;</source>
        <translation>&lt;b&gt;Méthode&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Enabled&lt;/b&gt;</source>
        <translation>&lt;b&gt;Activé&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Last test&lt;/b&gt;</source>
        <translation>&lt;b&gt;Dernier test&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Synchronization</source>
        <translation>Synchronisation</translation>
    </message>
    <message>
        <source>A&amp;pprove</source>
        <translation>A&amp;pprouver</translation>
    </message>
    <message>
        <source>&amp;Test &amp;&amp; Enable</source>
        <translation>&amp;Tester et activer</translation>
    </message>
    <message>
        <source>Pending: approve the address before the mailbox synchronizes</source>
        <translation>En attente : approuvez l&apos;adresse avant que la boîte se synchronise</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Approuvée</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Refusée</translation>
    </message>
    <message>
        <source>The profile&apos;s service account signs in</source>
        <translation>Le compte de service du profil se connecte</translation>
    </message>
    <message>
        <source>Type a new password to replace it</source>
        <translation>Tapez un nouveau mot de passe pour le remplacer</translation>
    </message>
    <message>
        <source>A password is set.</source>
        <translation>Un mot de passe est enregistré.</translation>
    </message>
    <message>
        <source>Type the mailbox&apos;s password</source>
        <translation>Tapez le mot de passe de la boîte aux lettres</translation>
    </message>
    <message>
        <source>The keyring cannot be read, so nobody can tell whether one is set.</source>
        <translation>Le trousseau ne peut pas être lu : impossible de savoir si un mot de passe est enregistré.</translation>
    </message>
    <message>
        <source>No password is set.</source>
        <translation>Aucun mot de passe n&apos;est enregistré.</translation>
    </message>
    <message>
        <source>not tested</source>
        <translation>non testé</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>réussi</translation>
    </message>
    <message>
        <source>failed at {step}</source>
        <translation>échec à {step}</translation>
    </message>
    <message>
        <source>Map the mailbox to another owner?</source>
        <translation>Associer la boîte aux lettres à un autre propriétaire ?</translation>
    </message>
    <message>
        <source>save the mailbox</source>
        <translation>enregistrer la boîte aux lettres</translation>
    </message>
    <message>
        <source>approve the mailbox</source>
        <translation>approuver la boîte aux lettres</translation>
    </message>
    <message>
        <source>test and enable the mailbox</source>
        <translation>tester et activer la boîte aux lettres</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>Test en cours…</translation>
    </message>
</context>
<context>
    <name>MailboxTableModel</name>
    <message>
        <source>Mailbox</source>
        <translation>Boîte aux lettres</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Propriétaire</translation>
    </message>
    <message>
        <source>Server profile</source>
        <translation>Profil de serveur</translation>
    </message>
    <message>
        <source>Approval</source>
        <translation>Approbation</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Incoming</source>
        <translation>Entrant</translation>
    </message>
    <message>
        <source>Outgoing</source>
        <translation>Sortant</translation>
    </message>
    <message>
        <source>ACT</source>
        <translation>RCT</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Dernière synchro</translation>
    </message>
    <message>
        <source>Next sync</source>
        <translation>Prochaine synchro</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Éléments</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Dernière erreur</translation>
    </message>
    <message>
        <source>Needs sign-in</source>
        <comment>mailbox state</comment>
        <translation>Connexion requise</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <comment>mailbox state</comment>
        <translation>Intervention requise</translation>
    </message>
    <message>
        <source>Backing off</source>
        <comment>mailbox state</comment>
        <translation>En attente de nouvel essai</translation>
    </message>
    <message>
        <source>Pending approval</source>
        <comment>mailbox state</comment>
        <translation>En attente d&apos;approbation</translation>
    </message>
    <message>
        <source>Not tested</source>
        <comment>mailbox state</comment>
        <translation>Non testée</translation>
    </message>
    <message>
        <source>Disabled</source>
        <comment>mailbox state</comment>
        <translation>Désactivée</translation>
    </message>
    <message>
        <source>Import paused</source>
        <comment>mailbox state</comment>
        <translation>Importation interrompue</translation>
    </message>
    <message>
        <source>Importing</source>
        <comment>mailbox state</comment>
        <translation>Importation en cours</translation>
    </message>
    <message>
        <source>Syncing</source>
        <comment>mailbox state</comment>
        <translation>Synchronisation en cours</translation>
    </message>
    <message>
        <source>Idle</source>
        <comment>mailbox state</comment>
        <translation>À jour</translation>
    </message>
    <message>
        <source>Backing off (until {time})</source>
        <translation>En attente de nouvel essai (jusqu&apos;à {time})</translation>
    </message>
    <message>
        <source>Importing ({done} so far)</source>
        <translation>Importation en cours ({done} jusqu&apos;ici)</translation>
    </message>
    <message>
        <source>Importing ({done} of {total})</source>
        <translation>Importation en cours ({done} sur {total})</translation>
    </message>
    <message>
        <source>Import paused ({done} so far)</source>
        <translation>Importation interrompue ({done} jusqu&apos;ici)</translation>
    </message>
    <message>
        <source>Import paused ({done} of {total})</source>
        <translation>Importation interrompue ({done} sur {total})</translation>
    </message>
    <message>
        <source>Importing ({done} of {total}, {left} left)</source>
        <translation>Importation en cours ({done} sur {total}, encore {left})</translation>
    </message>
    <message>
        <source>Idle (next sync at {time})</source>
        <translation>À jour (prochaine synchronisation à {time})</translation>
    </message>
    <message>
        <source>Appointments, contacts and tasks</source>
        <translation>Rendez-vous, contacts et tâches</translation>
    </message>
    <message>
        <source>(nobody)</source>
        <translation>(personne)</translation>
    </message>
    <message>
        <source>{name} (queue)</source>
        <translation>{name} (file d&apos;attente)</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Approuvée</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Refusée</translation>
    </message>
    <message>
        <source>Forward mailbox</source>
        <translation>Boîte de transfert</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Activé</translation>
    </message>
    <message>
        <source>Not tested</source>
        <translation>Non testé</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Désactivé</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échec</translation>
    </message>
    <message>
        <source>Not synchronized</source>
        <translation>Non synchronisé</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Activé</translation>
    </message>
    <message>
        <source>Not enabled</source>
        <translation>Non activé</translation>
    </message>
    <message>
        <source>never tested</source>
        <translation>jamais testé</translation>
    </message>
    <message>
        <source>last test passed</source>
        <translation>dernier test réussi</translation>
    </message>
    <message>
        <source>last test failed at {step}</source>
        <translation>dernier test en échec à {step}</translation>
    </message>
    <message>
        <source>({time})</source>
        <translation>({time})</translation>
    </message>
</context>
<context>
    <name>MailboxesPage</name>
    <message>
        <source>Mailboxes</source>
        <translation>Boîtes aux lettres</translation>
    </message>
    <message>
        <source>Each mailbox&apos;s live synchronization status: state, last and next sync, items synchronized and errors.</source>
        <translation>L&apos;état de synchronisation en direct de chaque boîte aux lettres : état, dernière et prochaine synchronisation, éléments synchronisés et erreurs.</translation>
    </message>
    <message>
        <source>Search address, owner or profile (Ctrl+F)</source>
        <translation>Rechercher une adresse, un propriétaire ou un profil (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search mailboxes</source>
        <translation>Rechercher des boîtes aux lettres</translation>
    </message>
    <message>
        <source>Show mailboxes in state</source>
        <translation>Afficher les boîtes dans l&apos;état</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>Tous les états</translation>
    </message>
    <message>
        <source>No mailboxes yet.</source>
        <translation>Aucune boîte aux lettres pour l’instant.</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Ajouter…</translation>
    </message>
    <message>
        <source>Add a mailbox</source>
        <translation>Ajouter une boîte aux lettres</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Modifier…</translation>
    </message>
    <message>
        <source>Edit the mailbox</source>
        <translation>Modifier la boîte aux lettres</translation>
    </message>
    <message>
        <source>A&amp;pprove</source>
        <translation>A&amp;pprouver</translation>
    </message>
    <message>
        <source>&amp;Test &amp;&amp; Enable</source>
        <translation>&amp;Tester et activer</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>&amp;Synchroniser maintenant</translation>
    </message>
    <message>
        <source>E&amp;nable</source>
        <translation>Acti&amp;ver</translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation>&amp;Désactiver</translation>
    </message>
    <message>
        <source>Apply &amp;profile…</source>
        <translation>Appliquer un &amp;profil…</translation>
    </message>
    <message>
        <source>Pre&amp;view synchronization…</source>
        <translation>&amp;Aperçu de la synchronisation…</translation>
    </message>
    <message>
        <source>What the next synchronization of appointments, contacts and tasks would do; changes nothing</source>
        <translation>Ce que ferait la prochaine synchronisation des rendez-vous, contacts et tâches ; ne modifie rien</translation>
    </message>
    <message>
        <source>Owner&apos;s &amp;options…</source>
        <translation>&amp;Options du propriétaire…</translation>
    </message>
    <message>
        <source>The mailbox owner&apos;s tracking, sync filters and tracked folders</source>
        <translation>Le suivi, les filtres de synchronisation et les dossiers suivis du propriétaire de la boîte</translation>
    </message>
    <message>
        <source>De&amp;lete…</source>
        <translation>Supprim&amp;er…</translation>
    </message>
    <message>
        <source>Stop synchronizing the selected mailboxes and forget them; their tracked email stays</source>
        <translation>Arrêter la synchronisation des boîtes sélectionnées et les oublier ; leurs e-mails suivis restent</translation>
    </message>
    <message>
        <source>open the owner&apos;s options</source>
        <translation>ouvrir les options du propriétaire</translation>
    </message>
    <message>
        <source>Importing (10,000 of 10,000, about 10 min left)</source>
        <translation>Importation en cours (10 000 sur 10 000, encore environ 10 min)</translation>
    </message>
    <message>
        <source>refresh the mailbox list</source>
        <translation>actualiser la liste des boîtes aux lettres</translation>
    </message>
    <message>
        <source>No server profile yet</source>
        <translation>Aucun profil de serveur pour l’instant</translation>
    </message>
    <message>
        <source>A mailbox synchronizes through a server profile, and there is none.</source>
        <translation>Une boîte aux lettres se synchronise au moyen d&apos;un profil de serveur, et il n&apos;y en a aucun.</translation>
    </message>
    <message>
        <source>Create a server profile first (Server profiles, Ctrl+2).</source>
        <translation>Créez d&apos;abord un profil de serveur (Profils de serveur, Ctrl+2).</translation>
    </message>
    <message>
        <source>open the mailbox editor</source>
        <translation>ouvrir l&apos;éditeur de boîte aux lettres</translation>
    </message>
    <message>
        <source>approve</source>
        <translation>approuver</translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es) approved.</source>
        <translation>
            <numerusform>%n boîte aux lettres approuvée.</numerusform>
            <numerusform>%n boîtes aux lettres approuvées.</numerusform>
        </translation>
    </message>
    <message>
        <source>run Test &amp; Enable</source>
        <translation>lancer Tester et activer</translation>
    </message>
    <message numerus="yes">
        <source>Testing %n mailbox(es)…</source>
        <translation>
            <numerusform>Test de %n boîte aux lettres…</numerusform>
            <numerusform>Test de %n boîtes aux lettres…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Test &amp; Enable: {passed} passed out of %n mailbox(es).</source>
        <translation>
            <numerusform>Tester et activer : réussite pour {passed} sur %n boîte aux lettres.</numerusform>
            <numerusform>Tester et activer : réussite pour {passed} sur %n boîtes aux lettres.</numerusform>
        </translation>
    </message>
    <message>
        <source>sync now</source>
        <translation>synchroniser maintenant</translation>
    </message>
    <message numerus="yes">
        <source>Synchronizing %n mailbox(es) now.</source>
        <translation>
            <numerusform>Synchronisation de %n boîte aux lettres en cours.</numerusform>
            <numerusform>Synchronisation de %n boîtes aux lettres en cours.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sync requested for %n mailbox(es); it starts when the engine that synchronizes them runs.</source>
        <translation>
            <numerusform>Synchronisation demandée pour %n boîte aux lettres ; elle démarre quand le moteur qui la synchronise tourne.</numerusform>
            <numerusform>Synchronisation demandée pour %n boîtes aux lettres ; elle démarre quand le moteur qui les synchronise tourne.</numerusform>
        </translation>
    </message>
    <message>
        <source>preview the synchronization</source>
        <translation>afficher l’aperçu de la synchronisation</translation>
    </message>
    <message>
        <source>Previewing the synchronization of {address}…</source>
        <translation>Aperçu de la synchronisation de {address}…</translation>
    </message>
    <message>
        <source>confirm the held changes</source>
        <translation>confirmer les modifications suspendues</translation>
    </message>
    <message>
        <source>delete mailboxes</source>
        <translation>supprimer des boîtes aux lettres</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n mailbox(es)? Their synchronization stops and they are forgotten, with their passwords; the email they tracked stays in the CRM.</source>
        <translation>
            <numerusform>Supprimer %n boîte aux lettres ? Sa synchronisation s’arrête et elle est oubliée, avec son mot de passe ; les e-mails qu’elle a suivis restent dans le CRM.</numerusform>
            <numerusform>Supprimer %n boîtes aux lettres ? Leur synchronisation s’arrête et elles sont oubliées, avec leurs mots de passe ; les e-mails qu’elles ont suivis restent dans le CRM.</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete mailboxes</source>
        <translation>Supprimer des boîtes aux lettres</translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es) deleted.</source>
        <translation>
            <numerusform>%n boîte aux lettres supprimée.</numerusform>
            <numerusform>%n boîtes aux lettres supprimées.</numerusform>
        </translation>
    </message>
    <message>
        <source>enable</source>
        <translation>activer</translation>
    </message>
    <message>
        <source>disable</source>
        <translation>désactiver</translation>
    </message>
    <message>
        <source>apply a profile</source>
        <translation>appliquer un profil</translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es) changed.</source>
        <translation>
            <numerusform>%n boîte aux lettres modifiée.</numerusform>
            <numerusform>%n boîtes aux lettres modifiées.</numerusform>
        </translation>
    </message>
    <message>
        <source>Some mailboxes were left as they were</source>
        <translation>Certaines boîtes aux lettres n&apos;ont pas été modifiées</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Desktop Sync</source>
        <translation>Desktop Sync</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>Vues</translation>
    </message>
    <message>
        <source>Database: {location}</source>
        <translation>Base de données : {location}</translation>
    </message>
    <message>
        <source>Not connected to a store</source>
        <translation>Non connecté à une base</translation>
    </message>
    <message>
        <source>Get started</source>
        <translation>Premiers pas</translation>
    </message>
    <message>
        <source>load the views</source>
        <translation>charger les vues</translation>
    </message>
    <message>
        <source>Sync engine: running</source>
        <translation>Moteur de synchronisation : en marche</translation>
    </message>
    <message>
        <source>Sync engine: paused</source>
        <translation>Moteur de synchronisation : suspendu</translation>
    </message>
    <message>
        <source>Sync engine: stopped</source>
        <translation>Moteur de synchronisation : arrêté</translation>
    </message>
    <message>
        <source>Sync engine: no mail connectors available</source>
        <translation>Moteur de synchronisation : aucun connecteur de messagerie</translation>
    </message>
    <message>
        <source>Sync engine: could not start</source>
        <translation>Moteur de synchronisation : n&apos;a pas pu démarrer</translation>
    </message>
    <message>
        <source>&amp;Resume synchronization</source>
        <translation>&amp;Reprendre la synchronisation</translation>
    </message>
    <message>
        <source>&amp;Pause synchronization</source>
        <translation>Suspendre la s&amp;ynchronisation</translation>
    </message>
    <message>
        <source>start the sync engine</source>
        <translation>démarrer le moteur de synchronisation</translation>
    </message>
    <message>
        <source>sync all mailboxes now</source>
        <translation>synchroniser toutes les boîtes maintenant</translation>
    </message>
    <message numerus="yes">
        <source>Synchronizing %n mailbox(es) now.</source>
        <translation>
            <numerusform>Synchronisation de %n boîte aux lettres en cours.</numerusform>
            <numerusform>Synchronisation de %n boîtes aux lettres en cours.</numerusform>
        </translation>
    </message>
    <message>
        <source>pause synchronization</source>
        <translation>suspendre la synchronisation</translation>
    </message>
    <message>
        <source>resume synchronization</source>
        <translation>reprendre la synchronisation</translation>
    </message>
    <message>
        <source>Mailboxes</source>
        <translation>Boîtes aux lettres</translation>
    </message>
    <message>
        <source>Server profiles</source>
        <translation>Profils de serveur</translation>
    </message>
    <message>
        <source>Users &amp; queues</source>
        <translation>Utilisateurs et files d&apos;attente</translation>
    </message>
    <message>
        <source>Activities</source>
        <translation>Activités</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alertes</translation>
    </message>
    <message>
        <source>Failed items</source>
        <translation>Éléments en échec</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>Tableau de bord</translation>
    </message>
    <message>
        <source>Appointments, contacts &amp; tasks</source>
        <translation>Rendez-vous, contacts et tâches</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>Conflits</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Sync all now</source>
        <translation>&amp;Tout synchroniser maintenant</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;Migrate from E-mail Router…</source>
        <translation>&amp;Migrer depuis l&apos;E-mail Router…</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>&amp;Getting started</source>
        <translation>&amp;Premiers pas</translation>
    </message>
    <message>
        <source>&amp;About Desktop Sync</source>
        <translation>À &amp;propos de Desktop Sync</translation>
    </message>
    <message>
        <source>open the settings</source>
        <translation>ouvrir les paramètres</translation>
    </message>
    <message>
        <source>refresh the mailbox list</source>
        <translation>actualiser la liste des boîtes aux lettres</translation>
    </message>
</context>
<context>
    <name>MigrationCredentialsPage</name>
    <message>
        <source>Passwords</source>
        <translation>Mots de passe</translation>
    </message>
    <message>
        <source>The router&apos;s passwords are encrypted and are not migrated. Enter the password of each account below: it goes to the system keyring only. A field left empty keeps the profile marked &quot;credentials needed&quot; until you enter it later.</source>
        <translation>Les mots de passe du routeur sont chiffrés et ne sont pas migrés. Saisissez ci-dessous le mot de passe de chaque compte : il est enregistré uniquement dans le trousseau du système. Un champ laissé vide garde le profil marqué « informations d&apos;identification requises » jusqu&apos;à ce que vous le saisissiez plus tard.</translation>
    </message>
    <message>
        <source>No password is needed for what will be migrated.</source>
        <translation>Aucun mot de passe n&apos;est nécessaire pour ce qui sera migré.</translation>
    </message>
    <message>
        <source>Leave empty to enter it later</source>
        <translation>Laisser vide pour le saisir plus tard</translation>
    </message>
    <message>
        <source>Password for {account}</source>
        <translation>Mot de passe de {account}</translation>
    </message>
    <message>
        <source>{number}. Password of {login} on {server}</source>
        <translation>{number}. Mot de passe de {login} sur {server}</translation>
    </message>
    <message numerus="yes">
        <source>The service account of %n profile(s): {profiles}</source>
        <translation>
            <numerusform>Le compte de service du profil : {profiles}</numerusform>
            <numerusform>Le compte de service des %n profils : {profiles}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Signs in to %n mailbox(es): {mailboxes}</source>
        <translation>
            <numerusform>Se connecte à la boîte aux lettres : {mailboxes}</numerusform>
            <numerusform>Se connecte aux %n boîtes aux lettres : {mailboxes}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MigrationProfilesPage</name>
    <message>
        <source>Profiles found</source>
        <translation>Profils trouvés</translation>
    </message>
    <message>
        <source>Each email server profile merges the incoming and outgoing profiles that a user or queue used in the router. Tick the profiles to migrate; read the warnings beside them first.</source>
        <translation>Chaque profil de serveur de messagerie réunit les profils entrant et sortant qu&apos;un utilisateur ou une file d&apos;attente utilisait dans le routeur. Cochez les profils à migrer ; lisez d&apos;abord les avertissements affichés à côté.</translation>
    </message>
    <message>
        <source>Migrate / profile</source>
        <translation>Migrer / profil</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>The selected profile</source>
        <translation>Le profil sélectionné</translation>
    </message>
    <message>
        <source>Not matched, not migrated</source>
        <translation>Sans correspondance, non migré</translation>
    </message>
    <message>
        <source>Exchange Online profiles sign in with OAuth 2.0 as your Microsoft Entra application (never with a password): give its application (client) ID and tenant.</source>
        <translation>Les profils Exchange Online se connectent avec OAuth 2.0 en tant que votre application Microsoft Entra (jamais avec un mot de passe) : indiquez son ID d'application (client) et son locataire.</translation>
    </message>
    <message>
        <source>Application (client) ID</source>
        <translation>ID d'application (client)</translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation>Locataire</translation>
    </message>
    <message>
        <source>contoso.onmicrosoft.com or the tenant ID</source>
        <translation>contoso.onmicrosoft.com ou l'ID du locataire</translation>
    </message>
    <message>
        <source>Application (client) &amp;ID:</source>
        <translation>&amp;ID d'application (client) :</translation>
    </message>
    <message>
        <source>&amp;Tenant:</source>
        <translation>&amp;Locataire :</translation>
    </message>
    <message>
        <source>Give the application (client) ID and the tenant for the Exchange Online profiles.</source>
        <translation>Indiquez l'ID d'application (client) et le locataire pour les profils Exchange Online.</translation>
    </message>
    <message>
        <source>cannot be migrated</source>
        <translation>ne peut pas être migré</translation>
    </message>
    <message>
        <source>Allow clear text</source>
        <translation>Autoriser le texte en clair</translation>
    </message>
    <message>
        <source>The router used no SSL/TLS: passwords and mail cross the network unencrypted. Without this tick the profile and its mailboxes are not migrated.</source>
        <translation>Le routeur n&apos;utilisait pas SSL/TLS : les mots de passe et les e-mails traversent le réseau sans chiffrement. Sans cette case cochée, le profil et ses boîtes aux lettres ne sont pas migrés.</translation>
    </message>
    <message>
        <source>{subject}: {reason}</source>
        <translation>{subject} : {reason}</translation>
    </message>
    <message>
        <source>Every mailbox and id matched a user or queue of this store.</source>
        <translation>Chaque boîte aux lettres et chaque identifiant correspond à un utilisateur ou à une file d&apos;attente de cette base.</translation>
    </message>
    <message>
        <source>Cannot be migrated: {why}</source>
        <translation>Ne peut pas être migré : {why}</translation>
    </message>
    <message>
        <source>Made from the router&apos;s</source>
        <translation>Construit à partir des profils du routeur</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Avertissements</translation>
    </message>
    <message>
        <source>Mailboxes</source>
        <translation>Boîtes aux lettres</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Aucune</translation>
    </message>
    <message>
        <source>Not migrated</source>
        <translation>Non migré</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Avertissement</translation>
    </message>
    <message>
        <source>{kind}, incoming {incoming}</source>
        <translation>{kind}, entrant {incoming}</translation>
    </message>
    <message>
        <source>, outgoing {host}:{port}</source>
        <translation>, sortant {host}:{port}</translation>
    </message>
    <message>
        <source>, service account {login}</source>
        <translation>, compte de service {login}</translation>
    </message>
    <message>
        <source>, each mailbox&apos;s own credentials</source>
        <translation>, informations d&apos;identification propres à chaque boîte aux lettres</translation>
    </message>
    <message>
        <source>create</source>
        <translation>créer</translation>
    </message>
    <message>
        <source>keep (already there)</source>
        <translation>conserver (existe déjà)</translation>
    </message>
    <message>
        <source>update</source>
        <translation>mettre à jour</translation>
    </message>
    <message>
        <source>none (already migrated)</source>
        <translation>aucune (déjà migré)</translation>
    </message>
    <message>
        <source>Forward mailbox</source>
        <translation>Boîte de transfert</translation>
    </message>
    <message>
        <source>Queue mailbox</source>
        <translation>Boîte d&apos;une file d&apos;attente</translation>
    </message>
    <message>
        <source>User mailbox</source>
        <translation>Boîte d&apos;un utilisateur</translation>
    </message>
    <message>
        <source>Mailbox</source>
        <translation>Boîte aux lettres</translation>
    </message>
</context>
<context>
    <name>MigrationProgressPage</name>
    <message>
        <source>Migrating</source>
        <translation>Migration en cours</translation>
    </message>
    <message>
        <source>The migration runs as one operation: cancelled or failed, it leaves nothing half-written.</source>
        <translation>La migration s&apos;exécute en une seule opération : annulée ou en échec, elle ne laisse rien d&apos;à moitié écrit.</translation>
    </message>
    <message>
        <source>%v of %m</source>
        <translation>%v sur %m</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Démarrage…</translation>
    </message>
    <message>
        <source>1. Creating email server profiles</source>
        <translation>1. Création des profils de serveur de messagerie</translation>
    </message>
    <message>
        <source>2. Creating forward mailboxes</source>
        <translation>2. Création des boîtes de transfert</translation>
    </message>
    <message>
        <source>3. Updating queue and user mailboxes (queues first, then users)</source>
        <translation>3. Mise à jour des boîtes des files d&apos;attente et des utilisateurs (les files d&apos;attente d&apos;abord)</translation>
    </message>
    <message>
        <source>Migrating…</source>
        <translation>Migration…</translation>
    </message>
    <message>
        <source>nothing to do</source>
        <translation>rien à faire</translation>
    </message>
    <message>
        <source>Cancelling: what was done so far is rolled back…</source>
        <translation>Annulation : ce qui a déjà été fait est défait…</translation>
    </message>
    <message>
        <source>Cancelled: nothing was written.</source>
        <translation>Annulé : rien n&apos;a été écrit.</translation>
    </message>
    <message>
        <source>The migration failed and nothing was written: {error}</source>
        <translation>La migration a échoué et rien n&apos;a été écrit : {error}</translation>
    </message>
    <message>
        <source>Close the wizard, fix the cause and run it again.</source>
        <translation>Fermez l&apos;assistant, corrigez la cause et relancez-le.</translation>
    </message>
    <message>
        <source>migrate from the E-mail Router</source>
        <translation>migrer depuis l&apos;E-mail Router</translation>
    </message>
    <message>
        <source>Done. Profiles: {created} created, {kept} already there. Mailboxes: {new} created, {updated} updated, {same} unchanged.</source>
        <translation>Terminé. Profils créés : {created}, déjà présents : {kept}. Boîtes aux lettres créées : {new}, mises à jour : {updated}, inchangées : {same}.</translation>
    </message>
</context>
<context>
    <name>MigrationReportPage</name>
    <message>
        <source>Report</source>
        <translation>Rapport</translation>
    </message>
    <message>
        <source>What the migration did, and the next steps. Save it to keep it: the text as shown, or JSON.</source>
        <translation>Ce que la migration a fait, et les étapes suivantes. Enregistrez-le pour le garder : le texte tel qu&apos;affiché, ou en JSON.</translation>
    </message>
    <message>
        <source>Migration report</source>
        <translation>Rapport de migration</translation>
    </message>
    <message>
        <source>&amp;Save…</source>
        <translation>&amp;Enregistrer…</translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es) wait for you to approve them and run Test &amp; Enable: at most {batch} per batch, queues first.</source>
        <translation>
            <numerusform>%n boîte aux lettres attend que vous l&apos;approuviez et lanciez Tester et activer : au plus {batch} par lot, les files d&apos;attente d&apos;abord.</numerusform>
            <numerusform>%n boîtes aux lettres attendent que vous les approuviez et lanciez Tester et activer : au plus {batch} par lot, les files d&apos;attente d&apos;abord.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n profile(s) still need passwords: enter them in the profile editor or with desktop-sync mailbox set-password.</source>
        <translation>
            <numerusform>%n profil a encore besoin de mots de passe : saisissez-les dans l&apos;éditeur de profil ou avec desktop-sync mailbox set-password.</numerusform>
            <numerusform>%n profils ont encore besoin de mots de passe : saisissez-les dans l&apos;éditeur de profil ou avec desktop-sync mailbox set-password.</numerusform>
        </translation>
    </message>
    <message>
        <source>created</source>
        <translation>créé</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>conservé</translation>
    </message>
    <message>
        <source>updated</source>
        <translation>mis à jour</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>inchangé</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>ignoré</translation>
    </message>
    <message>
        <source>stored</source>
        <translation>enregistré</translation>
    </message>
    <message>
        <source>needed</source>
        <translation>manquant</translation>
    </message>
    <message>
        <source>profile</source>
        <translation>profil</translation>
    </message>
    <message>
        <source>forward mailbox</source>
        <translation>boîte aux lettres de transfert</translation>
    </message>
    <message>
        <source>queue mailbox</source>
        <translation>boîte aux lettres de file d&apos;attente</translation>
    </message>
    <message>
        <source>user mailbox</source>
        <translation>boîte aux lettres d&apos;utilisateur</translation>
    </message>
    <message>
        <source>mailbox</source>
        <translation>boîte aux lettres</translation>
    </message>
    <message>
        <source>password</source>
        <translation>mot de passe</translation>
    </message>
    <message>
        <source>sign-in</source>
        <translation>connexion</translation>
    </message>
    <message>
        <source>E-mail Router migration report, {time}</source>
        <translation>Rapport de migration de l&apos;E-mail Router, {time}</translation>
    </message>
    <message>
        <source>Routers: {routers}</source>
        <translation>Routeurs : {routers}</translation>
    </message>
    <message numerus="yes">
        <source>Profiles: %n created,</source>
        <translation>
            <numerusform>Profils : %n créé,</numerusform>
            <numerusform>Profils : %n créés,</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n already there.</source>
        <translation>
            <numerusform>%n déjà présent.</numerusform>
            <numerusform>%n déjà présents.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Mailboxes: %n created,</source>
        <translation>
            <numerusform>Boîtes aux lettres : %n créée,</numerusform>
            <numerusform>Boîtes aux lettres : %n créées,</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n updated,</source>
        <translation>
            <numerusform>%n mise à jour,</numerusform>
            <numerusform>%n mises à jour,</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unchanged,</source>
        <translation>
            <numerusform>%n inchangée,</numerusform>
            <numerusform>%n inchangées,</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n skipped.</source>
        <translation>
            <numerusform>%n ignorée.</numerusform>
            <numerusform>%n ignorées.</numerusform>
        </translation>
    </message>
    <message>
        <source>Email server profiles</source>
        <translation>Profils de serveur de messagerie</translation>
    </message>
    <message>
        <source>Forward mailboxes</source>
        <translation>Boîtes aux lettres de transfert</translation>
    </message>
    <message>
        <source>User and queue mailboxes</source>
        <translation>Boîtes aux lettres des utilisateurs et des files d&apos;attente</translation>
    </message>
    <message>
        <source>Credentials</source>
        <translation>Identifiants</translation>
    </message>
    <message>
        <source>{title}:</source>
        <translation>{title} :</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>{line}: {detail}</source>
        <translation>{line} : {detail}</translation>
    </message>
    <message>
        <source>Not migrated:</source>
        <translation>Non migré :</translation>
    </message>
    <message>
        <source>{kind} {subject}: {reason}</source>
        <translation>{kind} {subject} : {reason}</translation>
    </message>
    <message>
        <source>Warnings:</source>
        <translation>Avertissements :</translation>
    </message>
    <message>
        <source>{subject}: {reason}</source>
        <translation>{subject} : {reason}</translation>
    </message>
    <message>
        <source>Next steps:</source>
        <translation>Étapes suivantes :</translation>
    </message>
    <message numerus="yes">
        <source>Enter the %n missing password(s) listed under Credentials (profile editor, or desktop-sync mailbox set-password ADDRESS); the profiles concerned carry a &apos;credentials needed&apos; alert.</source>
        <translation>
            <numerusform>Saisissez le mot de passe manquant indiqué sous Identifiants (éditeur de profil, ou desktop-sync mailbox set-password ADDRESS) ; les profils concernés portent une alerte « identifiants nécessaires ».</numerusform>
            <numerusform>Saisissez les %n mots de passe manquants indiqués sous Identifiants (éditeur de profil, ou desktop-sync mailbox set-password ADDRESS) ; les profils concernés portent une alerte « identifiants nécessaires ».</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es) are left for you to approve and Test &amp; Enable (desktop-sync mailbox approve ADDRESS, then desktop-sync mailbox test-enable ADDRESS). Nothing synchronizes before that. Test and enable at most {batch} mailboxes per batch (Microsoft advises at most 200 every 5 hours), queues first.</source>
        <translation>
            <numerusform>%n boîte aux lettres vous attend pour l&apos;approbation et Tester et activer (desktop-sync mailbox approve ADDRESS, puis desktop-sync mailbox test-enable ADDRESS). Rien ne se synchronise avant. Testez et activez au plus {batch} boîtes aux lettres par lot (Microsoft conseille au plus 200 toutes les 5 heures), les files d&apos;attente d&apos;abord.</numerusform>
            <numerusform>%n boîtes aux lettres vous attendent pour l&apos;approbation et Tester et activer (desktop-sync mailbox approve ADDRESS, puis desktop-sync mailbox test-enable ADDRESS). Rien ne se synchronise avant. Testez et activez au plus {batch} boîtes aux lettres par lot (Microsoft conseille au plus 200 toutes les 5 heures), les files d&apos;attente d&apos;abord.</numerusform>
        </translation>
    </message>
    <message>
        <source>New profiles process email from {time} ({hours} hours before the migration), and so do the migrated mailboxes.</source>
        <translation>Les nouveaux profils traitent le courrier à partir du {time} ({hours} heures avant la migration), de même que les boîtes aux lettres migrées.</translation>
    </message>
    <message>
        <source>Review the warnings before Test &amp; Enable: some profiles need their security or sign-in changed.</source>
        <translation>Relisez les avertissements avant Tester et activer : la sécurité ou la connexion de certains profils doit être changée.</translation>
    </message>
    <message>
        <source>When the mailboxes work, stop the E-mail Router so that mail is not processed twice.</source>
        <translation>Quand les boîtes aux lettres fonctionnent, arrêtez l&apos;E-mail Router pour que le courrier ne soit pas traité deux fois.</translation>
    </message>
    <message>
        <source>Save the migration report</source>
        <translation>Enregistrer le rapport de migration</translation>
    </message>
    <message>
        <source>Text (*.txt)</source>
        <translation>Texte (*.txt)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>save the migration report</source>
        <translation>enregistrer le rapport de migration</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>Enregistré dans {path}</translation>
    </message>
</context>
<context>
    <name>MigrationReviewPage</name>
    <message>
        <source>Review</source>
        <translation>Vérification</translation>
    </message>
    <message>
        <source>What the migration will do. Nothing has been written yet.</source>
        <translation>Ce que la migration va faire. Rien n&apos;a encore été écrit.</translation>
    </message>
    <message>
        <source>&amp;Migrate</source>
        <translation>&amp;Migrer</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Détail</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>Modifications</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Email server profiles: {create} to create, {keep} already there and kept as they are.
Mailboxes: {new} to create, {update} to update, {same} already migrated, {skipped} not migrated.
Passwords: {entered} of {accounts} entered; the others stay &quot;credentials needed&quot;.</source>
        <translation>Profils de serveur de messagerie : {create} à créer, {keep} déjà présents et conservés tels quels.
Boîtes aux lettres : {new} à créer, {update} à mettre à jour, {same} déjà migrées, {skipped} non migrées.
Mots de passe : {entered} saisis sur {accounts} ; les autres restent « informations d&apos;identification requises ».</translation>
    </message>
    <message>
        <source>New profiles and migrated mailboxes process email from {hours} hours before the migration. The mailboxes are left pending approval: approve them and run Test &amp; Enable on at most {batch} mailboxes per batch, queues first. Nothing synchronizes before that; stop the E-mail Router once they work.</source>
        <translation>Les nouveaux profils et les boîtes migrées traitent le courrier à partir de {hours} heures avant la migration. Les boîtes restent en attente d&apos;approbation : approuvez-les et lancez Tester et activer sur au plus {batch} boîtes par lot, les files d&apos;attente d&apos;abord. Rien ne se synchronise avant ; arrêtez l&apos;E-mail Router une fois qu&apos;elles fonctionnent.</translation>
    </message>
    <message>
        <source>Email server profiles</source>
        <translation>Profils de serveur de messagerie</translation>
    </message>
    <message>
        <source>Forward mailboxes</source>
        <translation>Boîtes de transfert</translation>
    </message>
    <message>
        <source>Queue and user mailboxes (queues first)</source>
        <translation>Boîtes des files d&apos;attente et des utilisateurs (files d&apos;attente d&apos;abord)</translation>
    </message>
    <message>
        <source>Not migrated</source>
        <translation>Non migré</translation>
    </message>
    <message>
        <source>on {profile}</source>
        <translation>sur {profile}</translation>
    </message>
    <message>
        <source>skip</source>
        <translation>ignorer</translation>
    </message>
</context>
<context>
    <name>MigrationRoutersPage</name>
    <message>
        <source>E-mail Router files</source>
        <translation>Fichiers de l&apos;E-mail Router</translation>
    </message>
    <message>
        <source>Add the folder of each E-mail Router to migrate (up to {count}). Each holds Microsoft.Crm.Tools.EmailAgent.xml, Microsoft.Crm.Tools.EmailAgent.SystemState.xml and EncryptionKey.xml. Nothing is written before you confirm the migration.</source>
        <translation>Ajoutez le dossier de chaque E-mail Router à migrer (jusqu&apos;à {count}). Chacun contient Microsoft.Crm.Tools.EmailAgent.xml, Microsoft.Crm.Tools.EmailAgent.SystemState.xml et EncryptionKey.xml. Rien n&apos;est écrit avant que vous ne confirmiez la migration.</translation>
    </message>
    <message>
        <source>Router folders</source>
        <translation>Dossiers des routeurs</translation>
    </message>
    <message>
        <source>&amp;Add router folder…</source>
        <translation>&amp;Ajouter un dossier de routeur…</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Retirer</translation>
    </message>
    <message>
        <source>E-mail Router folder</source>
        <translation>Dossier de l&apos;E-mail Router</translation>
    </message>
    <message>
        <source>Reading the routers&apos; files…</source>
        <translation>Lecture des fichiers des routeurs…</translation>
    </message>
    <message>
        <source>{file}: {problem}</source>
        <translation>{file} : {problem}</translation>
    </message>
    <message>
        <source>read the E-mail Router&apos;s files</source>
        <translation>lire les fichiers de l&apos;E-mail Router</translation>
    </message>
    <message>
        <source>This router cannot be read. Nothing has been written.
{error}</source>
        <translation>Ce routeur ne peut pas être lu. Rien n&apos;a été écrit.
{error}</translation>
    </message>
    <message>
        <source>Fix or remove the router named above to go on.</source>
        <translation>Corrigez ou retirez le routeur nommé ci-dessus pour continuer.</translation>
    </message>
    <message>
        <source>Add at least one router folder.</source>
        <translation>Ajoutez au moins un dossier de routeur.</translation>
    </message>
    <message>
        <source>{routers}: {providers}, {profiles} and {mailboxes} found.</source>
        <translation>{routers} : {providers}, {profiles} et {mailboxes} trouvés.</translation>
    </message>
    <message numerus="yes">
        <source>Read %n router(s)</source>
        <translation>
            <numerusform>%n routeur lu</numerusform>
            <numerusform>%n routeurs lus</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n provider(s)</source>
        <translation>
            <numerusform>%n fournisseur</numerusform>
            <numerusform>%n fournisseurs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n email server profile(s)</source>
        <translation>
            <numerusform>%n profil de serveur de messagerie</numerusform>
            <numerusform>%n profils de serveur de messagerie</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mailbox(es)</source>
        <translation>
            <numerusform>%n boîte aux lettres</numerusform>
            <numerusform>%n boîtes aux lettres</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MigrationWizard</name>
    <message>
        <source>Migrate from the E-mail Router</source>
        <translation>Migrer depuis l&apos;E-mail Router</translation>
    </message>
</context>
<context>
    <name>MissingStore</name>
    <message>
        <source>No store at {path}</source>
        <translation>Aucune base à l&apos;emplacement {path}</translation>
    </message>
    <message>
        <source>{named_by} names a store that does not exist. Desktop Sync creates a new store only at its default location, so nothing was created.</source>
        <translation>{named_by} désigne une base qui n&apos;existe pas. Desktop Sync ne crée une nouvelle base qu&apos;à son emplacement par défaut ; rien n&apos;a donc été créé.</translation>
    </message>
    <message>
        <source>Check the path; to create a new store there, run: {command}</source>
        <translation>Vérifiez le chemin ; pour créer une nouvelle base à cet endroit, exécutez : {command}</translation>
    </message>
</context>
<context>
    <name>NotificationArea</name>
    <message>
        <source>Details…</source>
        <translation>Détails…</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>{title}: {cause}</source>
        <translation>{title} : {cause}</translation>
    </message>
    <message numerus="yes">
        <source>(and %n more)</source>
        <translation>
            <numerusform>(et %n autre)</numerusform>
            <numerusform>(et %n autres)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <source>Edit server profile</source>
        <translation>Modifier le profil de serveur</translation>
    </message>
    <message>
        <source>New server profile</source>
        <translation>Nouveau profil de serveur</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>IMAP and SMTP</source>
        <translation>IMAP et SMTP</translation>
    </message>
    <message>
        <source>POP3 and SMTP</source>
        <translation>POP3 et SMTP</translation>
    </message>
    <message>
        <source>Exchange (EWS)</source>
        <translation>Exchange (EWS)</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>T&amp;ype :</translation>
    </message>
    <message>
        <source>None: this profile does not send mail</source>
        <translation>Aucun : ce profil n&apos;envoie pas de courrier</translation>
    </message>
    <message>
        <source>Built from the incoming server when empty</source>
        <translation>Construite à partir du serveur entrant si vide</translation>
    </message>
    <message>
        <source>The system&apos;s trusted certificates</source>
        <translation>Les certificats de confiance du système</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Parcourir…</translation>
    </message>
    <message>
        <source>Allow connections without TLS (passwords travel in clear text)</source>
        <translation>Autoriser les connexions sans TLS (les mots de passe circulent en clair)</translation>
    </message>
    <message>
        <source>&amp;Incoming server:</source>
        <translation>Serveur &amp;entrant :</translation>
    </message>
    <message>
        <source>Incoming &amp;port:</source>
        <translation>&amp;Port entrant :</translation>
    </message>
    <message>
        <source>Incoming &amp;security:</source>
        <translation>Sé&amp;curité entrante :</translation>
    </message>
    <message>
        <source>&amp;Outgoing server:</source>
        <translation>Serveur &amp;sortant :</translation>
    </message>
    <message>
        <source>Outgoing p&amp;ort:</source>
        <translation>P&amp;ort sortant :</translation>
    </message>
    <message>
        <source>Outgoing s&amp;ecurity:</source>
        <translation>Séc&amp;urité sortante :</translation>
    </message>
    <message>
        <source>EWS &amp;URL:</source>
        <translation>&amp;URL EWS :</translation>
    </message>
    <message>
        <source>C&amp;A file:</source>
        <translation>Fichier d&amp;e l’AC :</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>Serveurs</translation>
    </message>
    <message>
        <source>User name and password</source>
        <translation>Nom d&apos;utilisateur et mot de passe</translation>
    </message>
    <message>
        <source>NTLM (Exchange on premises)</source>
        <translation>NTLM (Exchange local)</translation>
    </message>
    <message>
        <source>OAuth 2 (Exchange Online)</source>
        <translation>OAuth 2 (Exchange Online)</translation>
    </message>
    <message>
        <source>Each mailbox signs in with its own credentials</source>
        <translation>Chaque boîte aux lettres se connecte avec ses propres identifiants</translation>
    </message>
    <message>
        <source>One service account for every mailbox (impersonation)</source>
        <translation>Un compte de service pour toutes les boîtes (emprunt d&apos;identité)</translation>
    </message>
    <message>
        <source>Service account password</source>
        <translation>Mot de passe du compte de service</translation>
    </message>
    <message>
        <source>A password is set; type a new one to replace it</source>
        <translation>Un mot de passe est enregistré ; tapez-en un nouveau pour le remplacer</translation>
    </message>
    <message>
        <source>No password set</source>
        <translation>Aucun mot de passe</translation>
    </message>
    <message>
        <source>&amp;Authentication:</source>
        <translation>&amp;Authentification :</translation>
    </message>
    <message>
        <source>C&amp;redentials:</source>
        <translation>Info&amp;rmations d’identification :</translation>
    </message>
    <message>
        <source>Service account &amp;login:</source>
        <translation>&amp;Identifiant du compte de service :</translation>
    </message>
    <message>
        <source>Service account pass&amp;word:</source>
        <translation>Mot de pass&amp;e du compte de service :</translation>
    </message>
    <message>
        <source>Credentials</source>
        <translation>Informations d&apos;identification</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Only mail received on or after</source>
        <translation>Uniquement le courrier reçu à partir du</translation>
    </message>
    <message>
        <source>Delete mail from the server once it is in the CRM (POP3)</source>
        <translation>Supprimer le courrier du serveur une fois dans le CRM (POP3)</translation>
    </message>
    <message>
        <source>None: tracked items are not marked</source>
        <translation>Aucune : les éléments suivis ne sont pas marqués</translation>
    </message>
    <message>
        <source>Mark items that cannot be tracked as “Undeliverable”</source>
        <translation>Marquer « Undeliverable » les éléments qui ne peuvent pas être suivis</translation>
    </message>
    <message>
        <source>&amp;Maximum connections:</source>
        <translation>Connexions &amp;maximales :</translation>
    </message>
    <message>
        <source>Request &amp;time-out:</source>
        <translation>Délai d&apos;a&amp;ttente des requêtes :</translation>
    </message>
    <message>
        <source>Minimum polling &amp;interval:</source>
        <translation>&amp;Intervalle minimal d&apos;interrogation :</translation>
    </message>
    <message>
        <source>Process &amp;email from:</source>
        <translation>Traiter le &amp;courrier à partir du :</translation>
    </message>
    <message>
        <source>Trac&amp;king token prefix:</source>
        <translation>Préfixe du jeton de su&amp;ivi :</translation>
    </message>
    <message>
        <source>Categor&amp;y on tracked items:</source>
        <translation>Catégor&amp;ie des éléments suivis :</translation>
    </message>
    <message>
        <source>Limits and behaviour</source>
        <translation>Limites et comportement</translation>
    </message>
    <message>
        <source>A mailbox on this server, e.g. alice@example.com</source>
        <translation>Une boîte aux lettres de ce serveur, p. ex. alice@example.com</translation>
    </message>
    <message>
        <source>The address when empty</source>
        <translation>L&apos;adresse si vide</translation>
    </message>
    <message>
        <source>Used for this test only, never stored</source>
        <translation>Utilisé pour ce test uniquement, jamais enregistré</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>&amp;Tester la connexion</translation>
    </message>
    <message>
        <source>Last request and &amp;response</source>
        <translation>Dernière requête et &amp;réponse</translation>
    </message>
    <message>
        <source>Last request and response</source>
        <translation>Dernière requête et réponse</translation>
    </message>
    <message>
        <source>Run a test to see what was said to the server.</source>
        <translation>Lancez un test pour voir ce qui a été échangé avec le serveur.</translation>
    </message>
    <message>
        <source>Test &amp;mailbox:</source>
        <translation>Boîte de &amp;test :</translation>
    </message>
    <message>
        <source>Test lo&amp;gin:</source>
        <translation>Identifiant de te&amp;st :</translation>
    </message>
    <message>
        <source>Test pa&amp;ssword:</source>
        <translation>Mot de passe de tes&amp;t :</translation>
    </message>
    <message>
        <source>No mail connectors are available in this installation, so connections cannot be tested.</source>
        <translation>Aucun connecteur de messagerie n&apos;est disponible dans cette installation : les connexions ne peuvent pas être testées.</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Tester la connexion</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Par défaut</translation>
    </message>
    <message>
        <source>Implicit TLS</source>
        <translation>TLS implicite</translation>
    </message>
    <message>
        <source>STARTTLS</source>
        <translation>STARTTLS</translation>
    </message>
    <message>
        <source>None (clear text)</source>
        <translation>Aucune (en clair)</translation>
    </message>
    <message>
        <source>Exchange sends mail through EWS</source>
        <translation>Exchange envoie le courrier par EWS</translation>
    </message>
    <message>
        <source>Default ({port})</source>
        <translation>Par défaut ({port})</translation>
    </message>
    <message>
        <source>The service account&apos;s password; used for this test only</source>
        <translation>Le mot de passe du compte de service ; utilisé pour ce test uniquement</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>Certificat de l&apos;autorité de certification</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>Certificats PEM (*.pem *.crt);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>save the profile</source>
        <translation>enregistrer le profil</translation>
    </message>
    <message>
        <source>test the connection</source>
        <translation>tester la connexion</translation>
    </message>
</context>
<context>
    <name>ProfilesPage</name>
    <message>
        <source>Server profiles</source>
        <translation>Profils de serveur</translation>
    </message>
    <message>
        <source>The connection settings of each mail system (Exchange, IMAP, POP3, SMTP) that mailboxes use.</source>
        <translation>Les paramètres de connexion de chaque système de messagerie (Exchange, IMAP, POP3, SMTP) utilisé par les boîtes aux lettres.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Incoming server</source>
        <translation>Serveur entrant</translation>
    </message>
    <message>
        <source>Outgoing server</source>
        <translation>Serveur sortant</translation>
    </message>
    <message>
        <source>Credentials</source>
        <translation>Informations d&apos;identification</translation>
    </message>
    <message>
        <source>Mailboxes</source>
        <translation>Boîtes aux lettres</translation>
    </message>
    <message>
        <source>No server profiles yet.</source>
        <translation>Aucun profil de serveur pour l’instant.</translation>
    </message>
    <message>
        <source>&amp;New profile…</source>
        <translation>&amp;Nouveau profil…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Modifier…</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Supprimer…</translation>
    </message>
    <message>
        <source>Service account {login}</source>
        <translation>Compte de service {login}</translation>
    </message>
    <message>
        <source>Each mailbox</source>
        <translation>Chaque boîte aux lettres</translation>
    </message>
    <message>
        <source>IMAP and SMTP</source>
        <translation>IMAP et SMTP</translation>
    </message>
    <message>
        <source>POP3 and SMTP</source>
        <translation>POP3 et SMTP</translation>
    </message>
    <message>
        <source>Exchange (EWS)</source>
        <translation>Exchange (EWS)</translation>
    </message>
    <message>
        <source>Exchange Online (Microsoft Graph)</source>
        <translation>Exchange Online (Microsoft Graph)</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>STARTTLS</source>
        <translation>STARTTLS</translation>
    </message>
    <message>
        <source>no TLS</source>
        <translation>sans TLS</translation>
    </message>
    <message>
        <source>open the profile</source>
        <translation>ouvrir le profil</translation>
    </message>
    <message>
        <source>delete the profile</source>
        <translation>supprimer le profil</translation>
    </message>
    <message>
        <source>Delete the server profile {name}? A profile that mailboxes use cannot be deleted: move them to another profile or delete them first.</source>
        <translation>Supprimer le profil de serveur {name} ? Un profil utilisé par des boîtes aux lettres ne peut pas être supprimé : déplacez-les vers un autre profil ou supprimez-les d’abord.</translation>
    </message>
    <message>
        <source>Delete profile</source>
        <translation>Supprimer le profil</translation>
    </message>
    <message>
        <source>Profile {name} deleted.</source>
        <translation>Profil {name} supprimé.</translation>
    </message>
    <message>
        <source>Profile {name} saved.</source>
        <translation>Profil {name} enregistré.</translation>
    </message>
    <message>
        <source>refresh the list</source>
        <translation>actualiser la liste</translation>
    </message>
</context>
<context>
    <name>RegardingPicker</name>
    <message>
        <source>Type a name or an email address — empty for none</source>
        <translation>Saisissez un nom ou une adresse e-mail — vide pour aucun</translation>
    </message>
    <message>
        <source>Regarding record</source>
        <translation>Enregistrement concerné</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Compte</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Contact</translation>
    </message>
    <message>
        <source>Lead</source>
        <translation>Prospect</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message>
        <source>{name} &lt;{email}&gt; ({kind})</source>
        <translation>{name} &lt;{email}&gt; ({kind})</translation>
    </message>
    <message>
        <source>{name} ({kind})</source>
        <translation>{name} ({kind})</translation>
    </message>
    <message>
        <source>No account, contact or lead matches “{text}”</source>
        <translation>Aucun compte, contact ou prospect ne correspond à « {text} »</translation>
    </message>
</context>
<context>
    <name>RuleRow</name>
    <message>
        <source>Field</source>
        <translation>Champ</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Opérateur</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Retirer</translation>
    </message>
    <message>
        <source>number of days</source>
        <translation>nombre de jours</translation>
    </message>
    <message>
        <source>date, e.g. 2026-01-31</source>
        <translation>date, p. ex. 2026-01-31</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true ou false</translation>
    </message>
    <message>
        <source>number</source>
        <translation>nombre</translation>
    </message>
    <message>
        <source>text</source>
        <translation>texte</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Sync engine</source>
        <translation>Moteur de synchronisation</translation>
    </message>
    <message>
        <source>Shared by every engine on this store (this application&apos;s and desktop-sync engine run). Changes apply the next time Desktop Sync or desktop-sync engine run starts.</source>
        <translation>Communs à tous les moteurs de cette base (celui de l&apos;application et desktop-sync engine run). Les modifications s&apos;appliquent au prochain démarrage de Desktop Sync ou de desktop-sync engine run.</translation>
    </message>
    <message>
        <source>This computer</source>
        <translation>Cet ordinateur</translation>
    </message>
    <message>
        <source>Start Desktop Sync when I &amp;log in</source>
        <translation>Démarrer Desktop Sync à l&apos;ou&amp;verture de session</translation>
    </message>
    <message>
        <source>The store location, log level and language apply the next time Desktop Sync starts. Kept in {path}.</source>
        <translation>L&apos;emplacement de la base, le niveau de journalisation et la langue s&apos;appliquent au prochain démarrage de Desktop Sync. Conservés dans {path}.</translation>
    </message>
    <message>
        <source>Empty: the embedded database (now {store})</source>
        <translation>Vide : la base intégrée (actuellement {store})</translation>
    </message>
    <message>
        <source>&amp;Mailboxes synchronized at once:</source>
        <translation>&amp;Boîtes synchronisées simultanément :</translation>
    </message>
    <message>
        <source>Mails &amp;sent at once:</source>
        <translation>E-mails &amp;envoyés simultanément :</translation>
    </message>
    <message>
        <source>&amp;Test &amp;&amp; Enable and bulk jobs at once:</source>
        <translation>&amp;Tests et activations et traitements groupés simultanés :</translation>
    </message>
    <message>
        <source>&amp;Retries of a transient error:</source>
        <translation>&amp;Nouvelles tentatives après une erreur temporaire :</translation>
    </message>
    <message>
        <source>&amp;Wait before a retry:</source>
        <translation>&amp;Attente avant une nouvelle tentative :</translation>
    </message>
    <message>
        <source>&amp;Items per mailbox per cycle:</source>
        <translation>É&amp;léments par boîte et par cycle :</translation>
    </message>
    <message>
        <source>&amp;Attachments kept up to:</source>
        <translation>&amp;Pièces jointes conservées jusqu&apos;à :</translation>
    </message>
    <message>
        <source>Smart &amp;matching: correlate replies by subject and addresses too</source>
        <translation>&amp;Correspondance intelligente : rattacher aussi les réponses par objet et adresses</translation>
    </message>
    <message>
        <source>Hold a plan removing more than this share of the &amp;links:</source>
        <translation>&amp;Quota de liens retirés au-delà duquel un plan est suspendu :</translation>
    </message>
    <message>
        <source>...and more than this many lin&amp;ks:</source>
        <translation>… et au-delà de ce no&amp;mbre de liens :</translation>
    </message>
    <message>
        <source>Store l&amp;ocation:</source>
        <translation>Emplacement de la ba&amp;se :</translation>
    </message>
    <message>
        <source>Log le&amp;vel:</source>
        <translation>Niveau de &amp;journalisation :</translation>
    </message>
    <message>
        <source>La&amp;nguage:</source>
        <translation>Lan&amp;gue :</translation>
    </message>
    <message>
        <source>Start minimi&amp;zed in the tray</source>
        <translation>Démarrer réduit dans la zone de &amp;notification</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> Mo</translation>
    </message>
    <message>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <source>Debug</source>
        <translation>Débogage</translation>
    </message>
    <message>
        <source>Information</source>
        <translation>Information</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Avertissements</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>Erreurs seulement</translation>
    </message>
    <message>
        <source>The system&apos;s language</source>
        <translation>La langue du système</translation>
    </message>
    <message>
        <source>save the settings</source>
        <translation>enregistrer les paramètres</translation>
    </message>
</context>
<context>
    <name>StateBar</name>
    <message>
        <source>{state}: {count}</source>
        <translation>{state} : {count}</translation>
    </message>
    <message>
        <source>Show the mailboxes in this state</source>
        <translation>Afficher les boîtes aux lettres dans cet état</translation>
    </message>
</context>
<context>
    <name>SynchronizationTab</name>
    <message>
        <source>Record type</source>
        <translation>Type d&apos;enregistrement</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>Filtre</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Rules</source>
        <translation>Règles</translation>
    </message>
    <message>
        <source>Sync filters</source>
        <translation>Filtres de synchronisation</translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation>&amp;Nouveau…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Modifier…</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Supprimer</translation>
    </message>
    <message>
        <source>Ac&amp;tivate</source>
        <translation>&amp;Activer</translation>
    </message>
    <message>
        <source>Deacti&amp;vate</source>
        <translation>&amp;Désactiver</translation>
    </message>
    <message>
        <source>Several active filters of one record type combine with OR: a record is synchronized when any of them selects it. With no active filter, no record of that type is synchronized. Changes here are saved at once.</source>
        <translation>Plusieurs filtres actifs d&apos;un même type se combinent par OU : un enregistrement est synchronisé dès que l&apos;un d&apos;eux le sélectionne. Sans filtre actif, aucun enregistrement de ce type n&apos;est synchronisé. Les modifications faites ici sont enregistrées aussitôt.</translation>
    </message>
    <message>
        <source>&amp;Record type:</source>
        <translation>&amp;Type d&apos;enregistrement :</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actif</translation>
    </message>
    <message>
        <source>Inactive</source>
        <translation>Inactif</translation>
    </message>
    <message>
        <source>refresh the filters</source>
        <translation>actualiser les filtres</translation>
    </message>
    <message>
        <source>Delete the filter?</source>
        <translation>Supprimer le filtre ?</translation>
    </message>
    <message>
        <source>Delete the filter “{name}”? The records it selected stop synchronizing.</source>
        <translation>Supprimer le filtre « {name} » ? Les enregistrements qu&apos;il sélectionnait ne seront plus synchronisés.</translation>
    </message>
    <message>
        <source>delete the filter</source>
        <translation>supprimer le filtre</translation>
    </message>
    <message>
        <source>change the filter</source>
        <translation>modifier le filtre</translation>
    </message>
</context>
<context>
    <name>TestEnable</name>
    <message>
        <source>Passed, enabled</source>
        <translation>Réussi, activé</translation>
    </message>
    <message>
        <source>Passed</source>
        <translation>Réussi</translation>
    </message>
    <message>
        <source>Failed at {step}</source>
        <translation>Échec à l&apos;étape « {step} »</translation>
    </message>
    <message>
        <source>: {detail}</source>
        <translation> : {detail}</translation>
    </message>
    <message>
        <source>Correct the cause above, then run Test &amp; Enable again.</source>
        <translation>Corrigez la cause indiquée, puis relancez Tester et activer.</translation>
    </message>
    <message>
        <source>Not synchronized</source>
        <translation>Non synchronisé</translation>
    </message>
    <message>
        <source>{address}: {error}</source>
        <translation>{address} : {error}</translation>
    </message>
    <message>
        <source>{channel}: {result}</source>
        <translation>{channel} : {result}</translation>
    </message>
    <message>
        <source>The mailbox is not approved: approve it, then run Test &amp; Enable again.</source>
        <translation>La boîte aux lettres n&apos;est pas approuvée : approuvez-la, puis relancez Tester et activer.</translation>
    </message>
</context>
<context>
    <name>TrackedFoldersTab</name>
    <message numerus="yes">
        <source>Mail in a checked folder is tracked whatever the Email tab says, and linked to the folder&apos;s regarding record if one is given. At most %n folders under the Inbox.</source>
        <translation>
            <numerusform>Le courrier d&apos;un dossier coché est suivi quel que soit le choix de l&apos;onglet E-mail, et rattaché à l&apos;enregistrement concerné du dossier s&apos;il y en a un. Au plus %n dossier de la boîte de réception.</numerusform>
            <numerusform>Le courrier d&apos;un dossier coché est suivi quel que soit le choix de l&apos;onglet E-mail, et rattaché à l&apos;enregistrement concerné du dossier s&apos;il y en a un. Au plus %n dossiers de la boîte de réception.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Réessayer</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <source>Regarding</source>
        <translation>Concernant</translation>
    </message>
    <message>
        <source>Folders on the server</source>
        <translation>Dossiers sur le serveur</translation>
    </message>
    <message>
        <source>Re&amp;garding of the selected folder:</source>
        <translation>&amp;Concernant, pour le dossier sélectionné :</translation>
    </message>
    <message>
        <source>This user has no mailbox: there are no folders to track.</source>
        <translation>Cet utilisateur n&apos;a pas de boîte aux lettres : il n&apos;y a aucun dossier à suivre.</translation>
    </message>
    <message>
        <source>No mail connectors are available in this installation to read the folders.</source>
        <translation>Aucun connecteur de messagerie n&apos;est disponible dans cette installation pour lire les dossiers.</translation>
    </message>
    <message>
        <source>Reading the folders of {address} from the server…</source>
        <translation>Lecture des dossiers de {address} sur le serveur…</translation>
    </message>
    <message>
        <source>read the folders from the server</source>
        <translation>lire les dossiers sur le serveur</translation>
    </message>
    <message numerus="yes">
        <source>%n folder(s) on the server. Check the folders under the Inbox to track.</source>
        <translation>
            <numerusform>%n dossier sur le serveur. Cochez les dossiers de la boîte de réception à suivre.</numerusform>
            <numerusform>%n dossiers sur le serveur. Cochez les dossiers de la boîte de réception à suivre.</numerusform>
        </translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>Boîte de réception</translation>
    </message>
    <message>
        <source>{name}: only folders under the Inbox can be tracked</source>
        <translation>{name} : seuls les dossiers de la boîte de réception peuvent être suivis</translation>
    </message>
    <message>
        <source>(a record that no longer exists)</source>
        <translation>(un enregistrement qui n&apos;existe plus)</translation>
    </message>
    <message numerus="yes">
        <source>At most %n folders can be tracked per mailbox: uncheck another folder first.</source>
        <translation>
            <numerusform>Au plus %n dossier peut être suivi par boîte aux lettres : décochez d&apos;abord un autre dossier.</numerusform>
            <numerusform>Au plus %n dossiers peuvent être suivis par boîte aux lettres : décochez d&apos;abord un autre dossier.</numerusform>
        </translation>
    </message>
    <message>
        <source>{name}: pick the record from the list, or empty the field</source>
        <translation>{name} : choisissez l&apos;enregistrement dans la liste, ou videz le champ</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message numerus="yes">
        <source>%n mailbox(es)</source>
        <translation>
            <numerusform>%n boîte aux lettres</numerusform>
            <numerusform>%n boîtes aux lettres</numerusform>
        </translation>
    </message>
    <message>
        <source>{count} {state}</source>
        <translation>{count} {state}</translation>
    </message>
    <message>
        <source>{mailboxes}: {states}</source>
        <translation>{mailboxes} : {states}</translation>
    </message>
    <message>
        <source>A server profile is failing: see Alerts</source>
        <translation>Un profil de serveur est en échec : voir les alertes</translation>
    </message>
    <message>
        <source>Synchronization is paused</source>
        <translation>La synchronisation est suspendue</translation>
    </message>
    <message>
        <source>No mail connectors available: nothing is synchronized</source>
        <translation>Aucun connecteur de messagerie : rien n’est synchronisé</translation>
    </message>
    <message>
        <source>The sync engine could not start</source>
        <translation>Le moteur de synchronisation n&apos;a pas pu démarrer</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>&amp;Open Desktop Sync</source>
        <translation>&amp;Ouvrir Desktop Sync</translation>
    </message>
    <message>
        <source>&amp;Sync all now</source>
        <translation>&amp;Tout synchroniser maintenant</translation>
    </message>
    <message>
        <source>Available while the sync engine runs in this window</source>
        <translation>Disponible quand le moteur de synchronisation tourne dans cette fenêtre</translation>
    </message>
    <message>
        <source>&amp;Pause synchronization</source>
        <translation>Suspendre la s&amp;ynchronisation</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;Resume synchronization</source>
        <translation>&amp;Reprendre la synchronisation</translation>
    </message>
    <message>
        <source>Desktop Sync: {state}</source>
        <translation>Desktop Sync : {state}</translation>
    </message>
</context>
<context>
    <name>TrayState</name>
    <message>
        <source>Idle</source>
        <translation>À jour</translation>
    </message>
    <message>
        <source>Synchronizing…</source>
        <translation>Synchronisation…</translation>
    </message>
    <message>
        <source>Warning: see Mailboxes</source>
        <translation>Avertissement : voir les boîtes aux lettres</translation>
    </message>
    <message>
        <source>Error: see Alerts</source>
        <translation>Erreur : voir les alertes</translation>
    </message>
</context>
<context>
    <name>UserOptionsDialog</name>
    <message>
        <source>User options — {name}</source>
        <translation>Options de l&apos;utilisateur — {name}</translation>
    </message>
    <message>
        <source>&amp;Email</source>
        <translation>&amp;E-mail</translation>
    </message>
    <message>
        <source>S&amp;ynchronization</source>
        <translation>S&amp;ynchronisation</translation>
    </message>
    <message>
        <source>&amp;Tracked folders</source>
        <translation>&amp;Dossiers suivis</translation>
    </message>
    <message>
        <source>{name} &lt;{email}&gt;, mailbox: {mailbox}</source>
        <translation>{name} &lt;{email}&gt;, boîte aux lettres : {mailbox}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucune</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>load the user&apos;s options</source>
        <translation>charger les options de l&apos;utilisateur</translation>
    </message>
    <message>
        <source>save the user&apos;s options</source>
        <translation>enregistrer les options de l&apos;utilisateur</translation>
    </message>
</context>
</TS>
