{{/*
The container's environment: the daemon's whole configuration (docs/configuration.md), rendered from values
only. Its hash is the pod's checksum/config annotation, so any change rolls the pod.
*/}}
{{/* Where the webhook signing secret is mounted (webhooks.existingSecret). */}}
{{- define "mail-relay.webhookDir" -}}/etc/mailrelay/webhook{{- end -}}

{{- define "mail-relay.env" -}}
{{- $proxy := include "mail-relay.proxyProtocol" . | fromJson -}}
- name: MAIL_HOSTNAME
  value: {{ .Values.mail.hostname | quote }}
{{- if .Values.mail.domains }}
- name: MAIL_DOMAINS
  value: {{ include "mail-relay.mailDomains" . | quote }}
{{- end }}
- name: SMTP_LISTENERS
  value: {{ include "mail-relay.listeners" . | quote }}
- name: TRUSTED_NETWORKS
  value: {{ default (list "none") .Values.mail.trustedNetworks | join "," | quote }}
{{- if $proxy.enabled }}
- name: PROXY_TRUSTED_PROXIES
  value: {{ join "," $proxy.trustedProxies | quote }}
{{- with $proxy.headerTimeout }}
- name: PROXY_HEADER_TIMEOUT
  value: {{ . | quote }}
{{- end }}
{{- end }}
- name: MAX_MESSAGE_SIZE
  value: {{ include "mail-relay.scalar" .Values.smtp.maxMessageSize | quote }}
- name: MAX_RECIPIENTS
  value: {{ include "mail-relay.scalar" .Values.smtp.maxRecipients | quote }}
- name: SMTP_BARE_NEWLINE
  value: {{ .Values.smtp.bareNewline | quote }}
- name: SMTP_MAX_SESSIONS
  value: {{ include "mail-relay.scalar" .Values.smtp.maxSessions | quote }}
- name: SMTP_MAX_SESSIONS_PER_CLIENT
  value: {{ include "mail-relay.scalar" .Values.smtp.maxSessionsPerClient | quote }}
- name: SMTP_COMMAND_TIMEOUT
  value: {{ .Values.smtp.commandTimeout | quote }}
- name: SMTP_SESSION_MAX_DURATION
  value: {{ .Values.smtp.sessionMaxDuration | quote }}
- name: SMTP_DATA_TIMEOUT
  value: {{ .Values.smtp.dataTimeout | quote }}
- name: SMTP_MIN_DATA_RATE
  value: {{ include "mail-relay.scalar" .Values.smtp.minDataRate | quote }}
- name: SMTP_MAX_ERRORS
  value: {{ include "mail-relay.scalar" .Values.smtp.maxErrors | quote }}
- name: SHUTDOWN_TIMEOUT
  value: {{ .Values.shutdownTimeout | quote }}
{{- if include "mail-relay.handoff" . }}
- name: HANDOFF_SERVICE
  value: {{ include "mail-relay.headlessDomain" . | quote }}
- name: HANDOFF_PORT
  value: {{ include "mail-relay.scalar" .Values.smtp.containerPort | quote }}
- name: HANDOFF_TIMEOUT
  value: {{ .Values.handoff.timeout | quote }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- end }}
- name: HANDOFF_PEERS
  value: {{ default (list "none") .Values.handoff.peerNetworks | join "," | quote }}
{{- if .Values.redis.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret | quote }}
      key: {{ .Values.redis.existingSecretKey | quote }}
{{- else if .Values.redis.url }}
- name: REDIS_URL
  value: {{ .Values.redis.url | quote }}
{{- end }}
{{- if or .Values.redis.existingSecret .Values.redis.url }}
# While Redis is unreachable each pod keeps to 1/REPLICAS of every provider ceiling.
- name: REPLICAS
  value: {{ .Values.replicaCount | int | toString | quote }}
{{- end }}
- name: DATA_DIR
  value: "/data"
- name: SPOOL_MIN_FREE_SPACE
  value: {{ include "mail-relay.scalar" .Values.persistence.minFreeSpace | quote }}
- name: PERSISTENCE_ENABLED
  value: {{ .Values.persistence.enabled | toString | quote }}
{{- if .Values.mail.relayHost }}
- name: RELAY_HOST
  value: {{ .Values.mail.relayHost | quote }}
- name: RELAY_PORT
  value: {{ include "mail-relay.scalar" .Values.mail.relayPort | quote }}
{{- end }}
{{- with .Values.mail.relayTls }}
- name: RELAY_TLS
  value: {{ . | quote }}
{{- end }}
- name: RELAY_CREDENTIALS_ENABLED
  value: {{ .Values.mail.relayCredentials.enabled | toString | quote }}
{{- if .Values.mail.relayCredentials.enabled }}
{{- if .Values.mail.relayCredentials.username }}
- name: RELAY_USERNAME
  value: {{ .Values.mail.relayCredentials.username | quote }}
{{- else }}
- name: RELAY_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "mail-relay.relaySecretName" . }}
      key: {{ .Values.mail.relayCredentials.usernameKey }}
{{- end }}
- name: RELAY_PASSWORD_FILE
  value: {{ printf "%s/password" (include "mail-relay.relayDir" .) | quote }}
{{- end }}
{{- with .Values.mail.deliveryRoutes }}
- name: DELIVERY_ROUTES
  value: {{ toJson . | quote }}
{{- end }}
{{- with .Values.mail.dnsServers }}
- name: DNS_SERVERS
  value: {{ join "," . | quote }}
{{- end }}
- name: INET_PROTOCOLS
  value: {{ .Values.mail.inetProtocols | quote }}
{{- with .Values.mail.retrySchedule }}
- name: RETRY_SCHEDULE
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.mail.queueLifetime }}
- name: QUEUE_LIFETIME
  value: {{ . | quote }}
{{- end }}
{{- with .Values.mail.delayWarningTime }}
- name: DELAY_WARNING_TIME
  value: {{ . | quote }}
{{- end }}
- name: DELIVERY_RECIPIENT_LIMIT
  value: {{ include "mail-relay.scalar" .Values.mail.deliveryRecipientLimit | quote }}
- name: DKIM_ENABLED
  value: {{ .Values.dkim.enabled | toString | quote }}
- name: DKIM_AUTO_GENERATE
  value: {{ and .Values.dkim.autoGenerate (not .Values.dkim.existingSecret) | toString | quote }}
- name: DKIM_KEY_SIZE
  value: {{ include "mail-relay.scalar" .Values.dkim.keySize | quote }}
{{- with .Values.dkim.domains }}
- name: DKIM_DOMAINS
  value: {{ join "," . | quote }}
{{- end }}
- name: DKIM_SELECTOR
  value: {{ .Values.dkim.selector | quote }}
{{- if .Values.dkim.existingSecret }}
- name: DKIM_KEY_DIR
  value: {{ include "mail-relay.dkimSecretDir" . | quote }}
{{- end }}
{{- if .Values.mail.tls.existingSecret }}
- name: TLS_CERT_FILE
  value: {{ printf "%s/tls.crt" (include "mail-relay.tlsDir" .) | quote }}
- name: TLS_KEY_FILE
  value: {{ printf "%s/tls.key" (include "mail-relay.tlsDir" .) | quote }}
{{- end }}
- name: SMTP_AUTH_ENABLED
  value: {{ .Values.mail.smtpAuth.enabled | toString | quote }}
{{- if .Values.mail.smtpAuth.enabled }}
- name: SMTP_AUTH_REQUIRE_TLS
  value: {{ .Values.mail.smtpAuth.requireTls | toString | quote }}
- name: SMTP_AUTH_USERS_FILE
  value: {{ printf "%s/users" (include "mail-relay.authDir" .) | quote }}
- name: SMTP_AUTH_CONSTRAIN_SENDER
  value: {{ .Values.mail.smtpAuth.constrainSender | toString | quote }}
{{- with .Values.mail.smtpAuth.senders }}
- name: SMTP_AUTH_SENDERS
  value: {{ toJson . | quote }}
{{- end }}
{{- end }}
- name: SENDER_ACCESS_ENABLED
  value: {{ .Values.mail.senderAccess.enabled | toString | quote }}
{{- if .Values.mail.senderAccess.enabled }}
{{- with .Values.mail.senderAccess.allowedFrom }}
- name: SENDER_ALLOWED_FROM
  value: {{ toJson . | quote }}
{{- end }}
{{- with .Values.mail.senderAccess.forbiddenFrom }}
- name: SENDER_FORBIDDEN_FROM
  value: {{ toJson . | quote }}
{{- end }}
- name: SENDER_CHECK_FROM_HEADER
  value: {{ .Values.mail.senderAccess.checkFromHeader | toString | quote }}
{{- end }}
- name: OUTBOUND_HIDE_CLIENT
  value: {{ .Values.mail.outboundHeaders.hideClient | toString | quote }}
{{- with .Values.mail.outboundHeaders.strip }}
- name: OUTBOUND_STRIP_HEADERS
  value: {{ join "," . | quote }}
{{- end }}
- name: RATE_LIMIT_ENABLED
  value: {{ .Values.rateLimit.enabled | toString | quote }}
{{- if .Values.rateLimit.enabled }}
- name: RATE_LIMIT_GLOBAL
  value: {{ toJson .Values.rateLimit.global | quote }}
- name: RATE_LIMIT_DOMAINS
  value: {{ toJson .Values.rateLimit.domains | quote }}
- name: RATE_LIMIT_CUSTOM_DOMAINS
  value: {{ toJson .Values.rateLimit.customDomains | quote }}
{{- end }}
- name: ADAPTIVE_RATE_ENABLED
  value: {{ .Values.adaptiveRate.enabled | toString | quote }}
{{- if .Values.adaptiveRate.enabled }}
- name: ADAPTIVE_RATE_DEFAULTS
  value: {{ toJson .Values.adaptiveRate.defaults | quote }}
- name: ADAPTIVE_RATE_DOMAINS
  value: {{ toJson .Values.adaptiveRate.domains | quote }}
{{- end }}
- name: WARMUP_ENABLED
  value: {{ .Values.warmup.enabled | toString | quote }}
{{- if .Values.warmup.enabled }}
- name: WARMUP_START_DATE
  value: {{ required "warmup.startDate (YYYY-MM-DD, UTC) is required when warmup.enabled is true" .Values.warmup.startDate | quote }}
- name: WARMUP_DAILY_CAPS
  value: {{ join "," .Values.warmup.dailyCaps | quote }}
- name: WARMUP_DOMAINS
  value: {{ join "," .Values.warmup.domains | quote }}
{{- end }}
{{- with .Values.inbound.bounce }}
{{- if and .verp (not .existingSecret) }}
{{- fail "inbound.bounce.verp needs inbound.bounce.existingSecret: a Secret holding the return paths' HMAC key" }}
{{- end }}
- name: BOUNCE_VERP_ENABLED
  value: {{ .verp | toString | quote }}
- name: BOUNCE_USE_SENDER_DOMAIN
  value: {{ .useSenderDomain | toString | quote }}
- name: BOUNCE_MAX_AGE
  value: {{ printf "%dd" (int .maxAgeDays) | quote }}
{{- if .existingSecret }}
- name: BOUNCE_HMAC_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret | quote }}
      key: {{ .existingSecretKey | quote }}
{{- end }}
{{- end }}
{{- if .Values.suppression.enabled }}
- name: SUPPRESS_AFTER_HARD_BOUNCE
  value: {{ .Values.suppression.duration | quote }}
{{- end }}
{{- with .Values.dnsbl }}
{{- if not (kindIs "invalid" .enabled) }}
- name: DNSBL_ENABLED
  value: {{ .enabled | toString | quote }}
{{- end }}
- name: DNSBL_INTERVAL
  value: {{ .interval | quote }}
{{- with .ips }}
- name: DNSBL_IPS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .domains }}
- name: DNSBL_DOMAINS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .ipLists }}
- name: DNSBL_IP_LISTS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .domainLists }}
- name: DNSBL_DOMAIN_LISTS
  value: {{ join "," . | quote }}
{{- end }}
{{- end }}
{{- with .Values.inbound }}
{{- if .enabled }}
- name: INBOUND_ENABLED
  value: "true"
- name: INBOUND_RECIPIENTS
  value: {{ join "," .recipients | quote }}
{{- with .forwardTo }}
- name: INBOUND_FORWARD_TO
  value: {{ . | quote }}
{{- end }}
- name: DMARC_REPORTS_ENABLED
  value: {{ .dmarcReports.enabled | toString | quote }}
- name: DMARC_REPORTS_STORE
  value: {{ .dmarcReports.storeReports | toString | quote }}
{{- with .dmarcReports.storePath }}
- name: DMARC_REPORTS_STORE_PATH
  value: {{ . | quote }}
{{- end }}
- name: DMARC_REPORTS_MAX_AGE
  value: {{ printf "%dd" (int .dmarcReports.maxReportAge) | quote }}
- name: INBOUND_SPF_ENABLED
  value: {{ .security.spf.enabled | toString | quote }}
- name: INBOUND_SPF_REJECT_FAIL
  value: {{ .security.spf.rejectFail | toString | quote }}
- name: INBOUND_SPF_REJECT_SOFTFAIL
  value: {{ .security.spf.rejectSoftfail | toString | quote }}
- name: INBOUND_DKIM_ENABLED
  value: {{ .security.dkim.enabled | toString | quote }}
- name: INBOUND_DMARC_ENABLED
  value: {{ .security.dmarc.enabled | toString | quote }}
- name: INBOUND_DMARC_REJECT_ON_FAIL
  value: {{ .security.dmarc.rejectOnFail | toString | quote }}
- name: INBOUND_DMARC_QUARANTINE_ON_FAIL
  value: {{ .security.dmarc.quarantineOnFail | toString | quote }}
{{- end }}
{{- end }}
- name: EVENTS_CLIENT_ID_HEADER
  value: {{ .Values.inbound.clientIdHeader | quote }}
{{- if .Values.webhooks.enabled }}
- name: WEBHOOK_ENDPOINTS
  value: {{ toJson .Values.webhooks.endpoints | quote }}
- name: WEBHOOK_SECRET_FILE
  value: {{ printf "%s/webhook-secret" (include "mail-relay.webhookDir" .) | quote }}
- name: WEBHOOK_TIMEOUT
  value: {{ printf "%dms" (.Values.webhooks.timeout | int) | quote }}
- name: WEBHOOK_MAX_IN_FLIGHT
  value: {{ include "mail-relay.scalar" .Values.webhooks.maxInFlight | quote }}
- name: WEBHOOK_MAX_AGE
  value: {{ .Values.webhooks.maxAge | quote }}
{{- end }}
{{- $dnsProvider := include "mail-relay.dnsProvider" . }}
{{- if $dnsProvider }}
{{- $dns := .Values.dns }}
- name: DNS_PROVIDER
  value: {{ $dnsProvider | quote }}
- name: DNS_RECORDS
  value: {{ include "mail-relay.dnsRecords" . | quote }}
- name: DNS_TTL
  value: {{ include "mail-relay.scalar" $dns.ttl | quote }}
- name: DNS_MX_PRIORITY
  value: {{ include "mail-relay.scalar" $dns.mxPriority | quote }}
- name: DNS_SPF_POLICY
  value: {{ $dns.spfPolicy | quote }}
{{- with $dns.spfInclude }}
- name: DNS_SPF_INCLUDE
  value: {{ join "," . | quote }}
{{- end }}
- name: DNS_DMARC_POLICY
  value: {{ $dns.dmarcPolicy | quote }}
{{- with $dns.dmarcRua }}
- name: DNS_DMARC_RUA
  value: {{ . | quote }}
{{- end }}
{{- if not (kindIs "invalid" $dns.dmarcPct) }}
- name: DNS_DMARC_PCT
  value: {{ include "mail-relay.scalar" $dns.dmarcPct | quote }}
{{- end }}
- name: DNS_OWNER_ID
  value: {{ include "mail-relay.dnsOwnerId" . | quote }}
{{- with .Values.dnsHelper.externalIps }}
- name: DNS_EXTERNAL_IPS
  value: {{ join "," . | quote }}
{{- end }}
- name: DNS_IP_DETECTION
  value: {{ and .Values.dnsHelper.enabled .Values.dnsHelper.ipDetection | toString | quote }}
{{- with $dns.ipDetectUrls }}
- name: DNS_IP_DETECT_URLS
  value: {{ join "," . | quote }}
{{- end }}
{{- with include "mail-relay.dnsKubernetesService" . }}
- name: DNS_KUBERNETES_SERVICE
  value: {{ . | quote }}
{{- end }}
{{- with $dns.checkInterval }}
- name: DNS_CHECK_INTERVAL
  value: {{ . | quote }}
{{- end }}
{{- if eq $dnsProvider "cloudflare" }}
- name: CLOUDFLARE_API_TOKEN_FILE
  value: {{ printf "%s/api-token" (include "mail-relay.dnsDir" .) | quote }}
{{- with $dns.cloudflare.zoneIds }}
- name: CLOUDFLARE_ZONE_IDS
  value: {{ toJson . | quote }}
{{- end }}
- name: CLOUDFLARE_PROXIED
  value: {{ $dns.cloudflare.proxied | toString | quote }}
{{- else if eq $dnsProvider "rfc2136" }}
- name: DNS_RFC2136_SERVER
  value: {{ $dns.rfc2136.server | quote }}
{{- with $dns.rfc2136.tsigKeyName }}
{{- /* "relay.example.com." and "relay.example.com" name the same key; the daemon takes the relative form. */}}
- name: DNS_RFC2136_TSIG_NAME
  value: {{ trimSuffix "." . | quote }}
- name: DNS_RFC2136_TSIG_ALGORITHM
  value: {{ $dns.rfc2136.tsigAlgorithm | quote }}
- name: DNS_RFC2136_TSIG_SECRET_FILE
  value: {{ printf "%s/tsig-secret" (include "mail-relay.dnsDir" $) | quote }}
{{- end }}
{{- else if eq $dnsProvider "external-dns" }}
- name: DNS_ENDPOINT_NAME
  value: {{ include "mail-relay.fullname" . | quote }}
- name: DNS_ENDPOINT_LABELS
  value: {{ merge (dict) .Values.externalDns.labels (include "mail-relay.selectorLabels" . | fromYaml) | toJson | quote }}
{{- end }}
{{- end }}
- name: ADMIN_LISTEN
  value: {{ printf "0.0.0.0:%d" (.Values.admin.port | int) | quote }}
- name: LOG_FORMAT
  value: {{ .Values.logging.format | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logging.level | quote }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
