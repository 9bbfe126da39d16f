{{/*
Install-time checks. The schema catches misspelt keys and wrong types; these catch combinations that are
valid YAML but dangerous (an open relay) or that the daemon would refuse at start.
*/}}

{{/* "open", "broad" or "" for one entry of mail.trustedNetworks. */}}
{{- define "mail-relay.networkBreadth" -}}
{{- $text := toString . | trim -}}
{{- if contains "/" $text -}}
{{- $parts := splitList "/" $text -}}
{{- $address := first $parts -}}
{{- $prefix := last $parts | int -}}
{{- if eq $prefix 0 -}}open
{{- else if hasPrefix "127." $address -}}
{{- /* loopback: never reached from outside, whatever the Service does */ -}}
{{- else if contains ":" $address -}}{{ if lt $prefix 48 }}broad{{ end }}
{{- else if lt $prefix 16 -}}broad
{{- else if and (eq $prefix 16) (hasPrefix "192.168." $address) -}}broad
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mail-relay.validate" -}}
{{- $security := "see the README, section \"Security: who may relay\"" -}}
{{- range .Values.mail.trustedNetworks -}}
{{- if eq (include "mail-relay.networkBreadth" .) "open" -}}
{{- fail (printf "mail.trustedNetworks contains %s, which lets anyone on the Internet relay through this server (an open relay). List only the networks of your own applications; %s." . $security) -}}
{{- end -}}
{{- end -}}
{{- range .Values.proxyProtocol.trustedProxies -}}
{{- if eq (include "mail-relay.networkBreadth" .) "open" -}}
{{- fail (printf "proxyProtocol.trustedProxies contains %s: anyone could then forge a PROXY header and appear to come from a trusted network. List only your load balancers' addresses; %s." . $security) -}}
{{- end -}}
{{- end -}}
{{- $exposed := has .Values.service.type (list "LoadBalancer" "NodePort") -}}
{{- $preservesClients := or (eq .Values.service.externalTrafficPolicy "Local") .Values.proxyProtocol.enabled -}}
{{- if and $exposed (not $preservesClients) (not .Values.security.allowBroadTrustedNetworks) -}}
{{- range .Values.mail.trustedNetworks -}}
{{- if eq (include "mail-relay.networkBreadth" .) "broad" -}}
{{- fail (printf "mail.trustedNetworks contains the broad range %s while service.type is %s with externalTrafficPolicy %s: Kubernetes SNATs outside clients to cluster addresses, so the Internet would look trusted (an open relay). Use your pod CIDR only, set service.externalTrafficPolicy: Local, or enable proxyProtocol; if you are sure, set security.allowBroadTrustedNetworks: true. %s." . $.Values.service.type $.Values.service.externalTrafficPolicy $security) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and .Values.proxyProtocol.enabled (not .Values.proxyProtocol.trustedProxies) -}}
{{- fail "proxyProtocol.enabled needs proxyProtocol.trustedProxies: the addresses of the load balancers that send PROXY headers." -}}
{{- end -}}
{{- if .Values.mail.relayCredentials.enabled -}}
{{- if not .Values.mail.relayHost -}}
{{- fail "mail.relayCredentials.enabled needs mail.relayHost (the smarthost to authenticate to)." -}}
{{- end -}}
{{- if and (not .Values.mail.relayCredentials.existingSecret) (not .Values.mail.relayCredentials.password) -}}
{{- fail "mail.relayCredentials.enabled needs mail.relayCredentials.existingSecret (recommended) or mail.relayCredentials.password." -}}
{{- end -}}
{{- if and (not .Values.mail.relayCredentials.existingSecret) (not .Values.mail.relayCredentials.username) -}}
{{- fail "mail.relayCredentials.enabled needs mail.relayCredentials.username (or an existingSecret with a usernameKey)." -}}
{{- end -}}
{{- end -}}
{{- if and .Values.smtp.submission.enabled (not .Values.mail.smtpAuth.enabled) -}}
{{- fail "smtp.submission.enabled needs mail.smtpAuth.enabled: the submission port is for clients that authenticate." -}}
{{- end -}}
{{- if .Values.mail.smtpAuth.enabled -}}
{{- if not .Values.mail.smtpAuth.existingSecret -}}
{{- fail "mail.smtpAuth.enabled needs mail.smtpAuth.existingSecret: a Secret with the users file (one user:secret line each; see `MailRelay auth hash-password`)." -}}
{{- end -}}
{{- if and .Values.mail.smtpAuth.requireTls (not .Values.mail.tls.existingSecret) -}}
{{- fail "mail.smtpAuth.requireTls needs mail.tls.existingSecret (a kubernetes.io/tls Secret): without TLS, AUTH could never be offered. Set mail.smtpAuth.requireTls: false only if the network between clients and the relay is private." -}}
{{- end -}}
{{- end -}}
{{- $drain := include "mail-relay.durationSeconds" .Values.shutdownTimeout | int64 -}}
{{- if le (int64 .Values.terminationGracePeriodSeconds) $drain -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be above shutdownTimeout (%s = %ds), or Kubernetes kills the relay before it has drained its sessions." (int64 .Values.terminationGracePeriodSeconds) .Values.shutdownTimeout $drain) -}}
{{- end -}}
{{- if and .Values.persistence.existingClaim (gt (int .Values.replicaCount) 1) -}}
{{- fail "persistence.existingClaim serves one pod only: each relay needs its own queue volume; use replicaCount 1 or a volumeClaimTemplate." -}}
{{- end -}}
{{- if and .Values.dkim.existingSecret (not .Values.mail.domains) (not .Values.dkim.domains) -}}
{{- fail "dkim.existingSecret needs mail.domains (or dkim.domains) to know which keys to mount." -}}
{{- end -}}
{{- if and .Values.externalDns.enabled .Values.externalDns.records.a (not .Values.externalDns.targets) (not .Values.service.loadBalancerIP) -}}
{{- fail "externalDns.records.a needs externalDns.targets (the relay's public addresses) or service.loadBalancerIP." -}}
{{- end -}}
{{- end -}}
