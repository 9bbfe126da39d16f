{{/* Names and labels. */}}
{{- define "mail-relay.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mail-relay.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mail-relay.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mail-relay.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mail-relay.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mail-relay.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "mail-relay.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mail-relay.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "mail-relay.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "mail-relay.relaySecretName" -}}
{{- default (printf "%s-relay" (include "mail-relay.fullname" .)) .Values.mail.relayCredentials.existingSecret -}}
{{- end -}}

{{/* Where the inbound TLS certificate (mail.tls.existingSecret) and the AUTH users file are mounted. */}}
{{- define "mail-relay.tlsDir" -}}/etc/mailrelay/tls{{- end -}}
{{- define "mail-relay.authDir" -}}/etc/mailrelay/auth{{- end -}}

{{/* Where the smarthost password is mounted (RELAY_PASSWORD_FILE): a file, never an environment variable. */}}
{{- define "mail-relay.relayDir" -}}/etc/mailrelay/relay{{- end -}}

{{/* Where operator-provided DKIM keys are mounted (read-only; the daemon's own keys live under /data). */}}
{{- define "mail-relay.dkimSecretDir" -}}/etc/mailrelay/dkim-keys{{- end -}}

{{/* A number from values (float64 after YAML) or a string such as "25M", printed without exponent. */}}
{{- define "mail-relay.scalar" -}}
{{- if kindIs "string" . -}}{{ . }}{{- else if kindIs "bool" . -}}{{ . }}{{- else -}}{{ . | int64 }}{{- end -}}
{{- end -}}

{{/* MAIL_DOMAINS: domain[:selector],... */}}
{{- define "mail-relay.mailDomains" -}}
{{- $entries := list -}}
{{- range .Values.mail.domains -}}
{{- if .dkimSelector -}}
{{- $entries = append $entries (printf "%s:%s" .name .dkimSelector) -}}
{{- else -}}
{{- $entries = append $entries .name -}}
{{- end -}}
{{- end -}}
{{- join "," $entries -}}
{{- end -}}

{{/* The DKIM keys expected in dkim.existingSecret: "<secret key>=<domain>/<selector>.private" lines. */}}
{{- define "mail-relay.dkimKeyItems" -}}
{{- $selectors := dict -}}
{{- range .Values.mail.domains -}}
{{- $_ := set $selectors .name (default $.Values.dkim.selector .dkimSelector) -}}
{{- end -}}
{{- $domains := .Values.dkim.domains -}}
{{- if not $domains -}}
{{- $domains = list -}}
{{- range .Values.mail.domains }}{{ $domains = append $domains .name }}{{ end -}}
{{- end -}}
{{- range $domains }}
{{- $selector := default $.Values.dkim.selector (get $selectors .) }}
- key: {{ printf "%s.%s.private" . $selector | quote }}
  path: {{ printf "%s/%s.private" . $selector | quote }}
{{- end }}
{{- end -}}

{{/* SMTP_LISTENERS from smtp.* and proxyProtocol.* (or its alias haraka.proxyProtocol). */}}
{{- define "mail-relay.listeners" -}}
{{- $proxy := include "mail-relay.proxyProtocol" . | fromJson -}}
{{- $address := ternary (printf "%s:" .Values.smtp.listenAddress) "" (ne .Values.smtp.listenAddress "") -}}
{{- $main := printf "%s%d" $address (.Values.smtp.containerPort | int) -}}
{{- if and $proxy.enabled (not $proxy.separatePort.enabled) -}}
{{- $main = printf "%s/proxy" $main -}}
{{- end -}}
{{- $all := list $main -}}
{{- if .Values.smtp.submission.enabled -}}
{{- /* Behind the same load balancer as the main port: PROXY headers exactly when the main port expects them. */ -}}
{{- $all = append $all (printf "%s%d%s" $address (.Values.smtp.submission.containerPort | int) (ternary "/proxy" "" (hasSuffix "/proxy" $main))) -}}
{{- end -}}
{{- if and $proxy.enabled $proxy.separatePort.enabled -}}
{{- $all = append $all (printf "%s%d/proxy" $address ($proxy.separatePort.containerPort | int)) -}}
{{- end -}}
{{- join "," $all -}}
{{- end -}}

{{/* A duration in the daemon's syntax (500ms, 30s, 5m, 1h, 2d, bare seconds) as whole seconds, rounded up. */}}
{{- define "mail-relay.durationSeconds" -}}
{{- $text := toString . | trim -}}
{{- if not (regexMatch "^[0-9]+(ms|s|m|h|d)?$" $text) -}}
{{- fail (printf "shutdownTimeout %q is not a duration such as 30s, 2m or 500ms" $text) -}}
{{- end -}}
{{- $number := regexFind "^[0-9]+" $text | int64 -}}
{{- $unit := regexReplaceAll "^[0-9]+" $text "" -}}
{{- if eq $unit "ms" -}}{{ div (add $number 999) 1000 }}
{{- else if eq $unit "m" -}}{{ mul $number 60 }}
{{- else if eq $unit "h" -}}{{ mul $number 3600 }}
{{- else if eq $unit "d" -}}{{ mul $number 86400 }}
{{- else -}}{{ $number }}
{{- end -}}
{{- end -}}

{{/* The effective PROXY protocol settings as JSON: proxyProtocol, with the keys the deprecated
haraka.proxyProtocol (the seed README's name) sets. */}}
{{- define "mail-relay.proxyProtocol" -}}
{{- $proxy := deepCopy .Values.proxyProtocol -}}
{{- range $key, $value := (.Values.haraka.proxyProtocol | default dict) -}}
{{- $_ := set $proxy $key $value -}}
{{- end -}}
{{- toJson $proxy -}}
{{- end -}}

{{/* A probe: the handler probes.type chooses with probes.<kind> timings, overridden by livenessProbe /
readinessProbe in Kubernetes' own form (a handler there replaces the built one). Argument: (list $ "liveness"). */}}
{{- define "mail-relay.probe" -}}
{{- $root := index . 0 -}}
{{- $kind := index . 1 -}}
{{- $probe := dict -}}
{{- if eq $root.Values.probes.type "http" -}}
{{- $_ := set $probe "httpGet" (dict "path" (ternary "/healthz" "/readyz" (eq $kind "liveness")) "port" "admin") -}}
{{- else -}}
{{- $_ := set $probe "tcpSocket" (dict "port" "smtp") -}}
{{- end -}}
{{- $probe = merge $probe (deepCopy (get $root.Values.probes $kind)) -}}
{{- $override := deepCopy (get $root.Values (printf "%sProbe" $kind) | default dict) -}}
{{- if or (hasKey $override "httpGet") (hasKey $override "tcpSocket") (hasKey $override "exec") -}}
{{- $probe = omit $probe "httpGet" "tcpSocket" "exec" -}}
{{- end -}}
{{- toYaml (mergeOverwrite $probe $override) -}}
{{- end -}}

{{/* "true" when the scale-down handoff is rendered (HANDOFF_*, the Role's StatefulSet rule, the pods' NetworkPolicy rule). */}}
{{- define "mail-relay.handoff" -}}
{{- if .Values.handoff.enabled -}}true{{- end -}}
{{- end -}}

{{/* The headless Service's cluster DNS name: the StatefulSet's pods are <name>-<ordinal>.<this>. */}}
{{- define "mail-relay.headlessDomain" -}}
{{- printf "%s-headless.%s.svc" (include "mail-relay.fullname" .) .Release.Namespace -}}
{{- end -}}

{{/* The pod's grace period: the sessions' drain, and with the handoff on, the handoff's own deadline after it. */}}
{{- define "mail-relay.gracePeriod" -}}
{{- $grace := int64 .Values.terminationGracePeriodSeconds -}}
{{- if include "mail-relay.handoff" . -}}
{{- $grace = add $grace (include "mail-relay.durationSeconds" .Values.handoff.timeout | int64) -}}
{{- end -}}
{{- $grace -}}
{{- end -}}

{{/* Pod anti-affinity from podAntiAffinity (soft or hard) over node host names; empty when none or `affinity` is set. */}}
{{- define "mail-relay.podAntiAffinity" -}}
{{- if and (not .Values.affinity) (eq .Values.podAntiAffinity "soft") }}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "mail-relay.selectorLabels" . | nindent 12 }}
{{- else if and (not .Values.affinity) (eq .Values.podAntiAffinity "hard") }}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "mail-relay.selectorLabels" . | nindent 10 }}
{{- end -}}
{{- end -}}
