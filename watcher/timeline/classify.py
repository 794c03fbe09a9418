"""Classify tracking-event text into watcher's status vocabulary. Pure, no I/O.

The table below is ordered: the first rule whose pattern matches wins. Specific and negative
phrases come before general ones, so "not delivered" or "delivery attempt" never reach the
"delivered" rule, "delivered to airline" is a hand-over, and "return" only fires together with
"to sender" (or its translations). Text is normalized before matching (casefold, accents
stripped, punctuation turned into spaces); the patterns go through the same normalization, so
they are written with their natural accents below.

Languages: English, Chinese, Spanish, French, German, Portuguese, Italian, Dutch, Polish,
Russian. Unknown text gives `Classification(Status.IN_TRANSIT, None, matched=False)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from watcher.domain.models import Status
from watcher.domain.text import normalize_text, strip_accents

__all__ = ["Classification", "classify_text"]


@dataclass(frozen=True, slots=True)
class Classification:
    """The normalized meaning of one event text."""

    status: Status
    substatus: str | None = None
    matched: bool = True


# (status, substatus, patterns). Patterns are regexes over normalized text; only lowercase
# regex escapes are used because the patterns are casefolded too. No \b around CJK: the
# characters are all \w, so there are no word boundaries between them.
_S = Status
# A table: one row per rule reads better than one pattern per line.
# fmt: off
_RULES: tuple[tuple[Status, str | None, tuple[str, ...]], ...] = (
    # --- Returns: "returned" before "returning"; conditional "will be returned" is neither.
    (_S.RETURNED, "returned.to_sender", (
        r"(?<!will be )(?<!would be )(?<!to be )\breturned to (the )?(sender|shipper|origin)\b",
        r"\b(return|returned parcel) (has been )?delivered to (the )?(sender|shipper)\b",
        r"\bdelivered (back )?to (the )?(sender|shipper)\b",
        r"已退回", r"退件签收", r"退回妥投",
        r"\bdevuelto al remitente\b", r"\bentregado al remitente\b",
        r"\bretourné à l expéditeur\b", r"\blivré à l expéditeur\b",
        r"\ban den absender zurückgegeben\b", r"\bdem absender zugestellt\b",
        r"\bdevolvido ao remetente\b", r"\bentregue ao remetente\b",
        r"\breso al mittente\b", r"\bconsegnato al mittente\b",
        r"\bterug bij (de )?afzender\b", r"\bafgeleverd bij (de )?afzender\b",
        r"\bzwrócona nadawcy\b", r"\bdoręczona do nadawcy\b", r"\bzwrot doręczony\b",
        r"\bвручено отправителю\b", r"\bвозвращено отправителю\b",
    )),
    (_S.RETURNING, "returning.to_sender", (
        r"(?<!will )(?<!may )\breturn(ing)? to (the )?(sender|shipper)\b",
        r"\bbeing returned\b", r"\breturn (is )?in progress\b", r"\breturn initiated\b",
        r"\bsent back to (the )?(sender|shipper)\b", r"\breturn(ed)? shipment\b",
        r"退回中", r"退回发件人", r"正在退回", r"退件",
        r"\ben devolución\b", r"\bdevolución al remitente\b", r"\bse devuelve\b",
        r"\bretour à l expéditeur\b", r"\ben cours de retour\b", r"\bretour expéditeur\b",
        r"\brücksendung\b", r"\bzurück an (den )?absender\b", r"\bwird an den absender zurück",
        r"\bem devolução\b", r"\bdevolução ao remetente\b",
        r"\bin restituzione\b", r"\brestituzione al mittente\b", r"\bin reso\b",
        r"\bretour afzender\b", r"\bteruggestuurd naar (de )?afzender\b",
        r"\bzwrot do nadawcy\b", r"\bzwracana do nadawcy\b",
        r"\bвозврат отправителю\b", r"\bвозвращается отправителю\b",
    )),
    # --- Exceptions that need the owner's action.
    (_S.EXCEPTION, "exception.lost", (
        r"\blost\b", r"\bcannot be located\b", r"\bcould not be located\b",
        r"\bparcel is missing\b",
        r"丢失", r"遗失",
        r"\bextraviad[oa]\b", r"\bperdid[oa]\b",
        r"\bperdu(e)?\b", r"\bégaré(e)?\b",
        r"\bverloren\b", r"\bverschollen\b",
        r"\bsmarrit[oa]\b", r"\bzoekgeraakt\b", r"\bvermist\b",
        r"\bzaginęła\b", r"\bzaginięcie\b", r"\bzagubion[aey]\b",
        r"\bутеряно\b", r"\bутрачено\b", r"\bпотеряно\b", r"\bутеря\b",
    )),
    (_S.EXCEPTION, "exception.damaged", (
        r"\bdamaged\b", r"\bdamage\b",
        r"破损", r"损坏",
        r"\bdañad[oa]\b", r"\bdeteriorad[oa]\b",
        r"\bendommagé(e)?\b", r"\babîmé(e)?\b",
        r"\bbeschädigt\b", r"\bbeschädigung\b",
        r"\bavariad[oa]\b", r"\bdanificad[oa]\b",
        r"\bdanneggiat[oa]\b",
        r"\bbeschadigd\b",
        r"\buszkodzon[aey]\b", r"\buszkodzenie\b",
        r"\bповрежд\w*",
    )),
    (_S.EXCEPTION, "exception.refused", (
        r"\brefused\b", r"\brejected by (the )?(recipient|addressee|consignee)\b",
        r"\bdeclined by (the )?(recipient|addressee)\b",
        r"拒收", r"拒签",
        r"\brechazad[oa]\b", r"\brehusad[oa]\b",
        r"\brefusé(e)?\b", r"\brefus\b",
        r"\bverweigert\b", r"\bannahme verweigert\b",
        r"\brecusad[oa]\b", r"\brecusou\b",
        r"\brifiutat[oa]\b",
        r"\bgeweigerd\b",
        r"\bodmowa przyjęcia\b", r"\bodmówił\w*",
        r"\bотказ от получения\b", r"\bотказ адресата\b",
    )),
    (_S.EXCEPTION, "exception.address", (
        r"\b(incorrect|wrong|invalid|incomplete|insufficient|unknown|bad) address\b",
        r"\baddress (is )?(incorrect|wrong|invalid|incomplete|insufficient|unknown)\b",
        r"\baddress(ee)? (problem|issue|unknown)\b", r"\brecipient (has )?moved\b",
        r"地址错误", r"地址不详", r"地址有误", r"地址不全",
        r"\bdirección (incorrecta|insuficiente|incompleta|errónea)\b",
        r"\bdestinatario desconocido\b",
        r"\badresse (incorrecte|incomplète|erronée|insuffisante)\b",
        r"\bdestinataire inconnu\b",
        r"\b(adresse|anschrift) (unbekannt|fehlerhaft|unzureichend|unvollständig)\b",
        r"\bempfänger unbekannt\b", r"\bempfänger verzogen\b",
        r"\bendereço (incorreto|insuficiente|incompleto)\b",
        r"\bdestinatário desconhecido\b", r"\bmudou se\b",
        r"\bindirizzo (errato|insufficiente|incompleto|inesatto)\b",
        r"\bdestinatario sconosciuto\b",
        r"\b(adres onjuist|onjuist adres|adres onbekend|onvolledig adres)\b",
        r"\bgeadresseerde onbekend\b",
        r"\b(błędny|nieprawidłowy|niepełny) adres\b", r"\badresat nieznany\b",
        r"\b(неверный|неполный|некорректный) адрес\b", r"\bадресат выбыл\b",
    )),
    # --- Export clearance happens at origin: it is transit, not the import customs milestone.
    (_S.IN_TRANSIT, "in_transit.export_customs", (
        r"\bexport (customs|clearance)\b", r"\bexport declaration\b",
        r"出口报关", r"出口清关", r"出口海关",
        r"\baduana de exportación\b", r"\bdespacho de exportación\b",
        r"\bdédouanement (à l )?export\b",
        r"\bexportverzollung\b", r"\bausfuhrabfertigung\b",
        r"\bdesembaraço de exportação\b",
        r"\bsdoganamento (all )?esportazione\b",
        r"\bexportinklaring\b", r"\buitvoeraangifte\b",
        r"\bodprawa (celna )?eksportowa\b",
        r"\bэкспортное таможенное\b",
    )),
    # --- Import customs: paid duties mean cleared; then due, held, cleared, started.
    (_S.CUSTOMS, "customs.cleared", (
        r"\b(duties|duty|taxes|tax|vat) (has been |have been |were |was )?paid\b",
        r"关税已缴", r"税费已支付",
    )),
    (_S.CUSTOMS, "customs.duties_due", (
        r"\b(import )?dut(y|ies)\b", r"\bimport (tax|vat)\b", r"\btax(es)? due\b",
        r"\bcustoms (charges|fees)\b", r"\bheld for payment\b", r"\bpayment required\b",
        r"\bvat due\b",
        r"关税", r"缴税", r"税费", r"待缴",
        r"\bpago de (impuestos|aranceles)\b", r"\baranceles\b", r"\bimpuestos pendientes\b",
        r"\bdroits de douane\b", r"\btaxes à payer\b", r"\bfrais de dédouanement\b",
        r"\bzollgebühr\w*", r"\beinfuhrabgaben\b", r"\beinfuhrumsatzsteuer\b",
        r"\baguardando pagamento\b", r"\bpagamento de tributos\b", r"\btributos\b",
        r"\bdazi\b", r"\bpagamento (dei )?dazi\b",
        r"\binvoerrechten\b", r"\bdouanekosten\b", r"\bbetaling vereist\b",
        r"\bcło\b", r"\bopłat[ay] celn[ae]\b", r"\bnależność celna\b",
        r"\bпошлин\w*", r"\bоплат\w* таможенн\w*",
    )),
    (_S.CUSTOMS, "customs.held", (
        r"\bheld (by|in|at) customs\b", r"\bcustoms (hold|held|detention|inspection|delay)\b",
        r"\bdetained\b", r"\bretained by customs\b", r"\bawaiting customs documents?\b",
        r"海关扣留", r"扣关", r"海关查验", r"被海关扣",
        r"\bretenid[oa] (en|por) (la )?aduana\b",
        r"\bretenu(e)? (en|par la) douane\b", r"\bbloqué(e)? en douane\b",
        r"\bvom zoll zurückgehalten\b", r"\bzoll angehalten\b", r"\bliegt beim zoll\b",
        r"\bretid[oa] (na|pela) (alfândega|fiscalização)\b",
        r"\b(trattenut[oa]|ferm[oa]|bloccat[oa]) in dogana\b",
        r"\bvastgehouden door (de )?douane\b", r"\bdouane vastgehouden\b",
        r"\bzatrzyman[ay] (przez|w) (urząd|urzędzie) celn\w*",
        r"\bзадержан\w* (таможней|на таможне)\b",
    )),
    (_S.CUSTOMS, "customs.cleared", (
        r"\bcustoms clearance (is )?(completed|complete|finished|successful|done)\b",
        r"\b(import )?clearance (completed|complete|successful)\b",
        r"\bcleared (by |through )?customs\b", r"\bcustoms cleared\b",
        r"\breleased (by|from) customs\b", r"\bcustoms release\b",
        r"清关完成", r"清关成功", r"海关放行", r"已清关", r"清关结束",
        r"\bliberad[oa] (por|de) (la )?aduana\b", r"\bdespacho de aduana (completado|finalizado)\b",
        r"\bdespachad[oa] de aduana\b",
        r"\bdédouané(e)?\b", r"\bdédouanement terminé\b", r"\blibéré(e)? par la douane\b",
        r"\bverzollt\b", r"\bzollabfertigung abgeschlossen\b", r"\bvom zoll freigegeben\b",
        r"\bliberad[oa] pela alfândega\b", r"\bfiscalização aduaneira finalizada\b",
        r"\bdesembaraço concluído\b",
        r"\bsdoganat[oa]\b", r"\bsdoganamento (completato|concluso)\b",
        r"\bingeklaard\b", r"\binklaring voltooid\b", r"\bvrijgegeven door (de )?douane\b",
        r"\bodprawa celna zakończona\b", r"\bzwolnion[ay] przez urząd celny\b",
        r"\bвыпущено таможней\b", r"\bтаможенное оформление завершено\b",
    )),
    (_S.CUSTOMS, "customs.started", (
        r"\bcustoms\b", r"\bimport clearance\b",
        r"清关", r"海关",
        r"\baduana\b", r"\baduanero\b",
        r"\bdouane\b", r"\bdédouanement\b",
        r"\bzoll\w*", r"\bverzollung\b",
        r"\balfândega\b", r"\bfiscalização aduaneira\b", r"\bdesembaraço\b",
        r"\bdogana\b", r"\bsdoganamento\b",
        r"\binklaring\b",
        r"\bodprawa celna\b", r"\burz(ąd|ędzie|ędu) celn\w*",
        r"\bтамож\w*",
    )),
    # --- Last mile. Collected-by-recipient is a delivery; "delivered to a locker" is not.
    (_S.DELIVERED, "delivered.collected", (
        r"\b(picked up|collected) by (the )?(recipient|customer|addressee|consignee)\b",
        r"\brecogid[oa] por el destinatario\b",
        r"\bretiré(e)? par le destinataire\b",
        r"\bvom empfänger abgeholt\b",
        r"\bretirad[oa] pelo destinatário\b",
        r"\britirat[oa] dal destinatario\b",
        r"\bopgehaald door (de )?ontvanger\b",
        r"\bodebran[ay] przez adresata\b",
        r"\bполучено адресатом\b",
    )),
    (_S.AVAILABLE_FOR_PICKUP, "available_for_pickup.ready", (
        r"\b(available|ready) for (pick ?up|collection)\b", r"\bawaiting (pick ?up|collection)\b",
        (r"\bdelivered to (the )?(pick ?up point|parcel (locker|shop|point)|service point"
         r"|post office|locker)\b"),
        r"\bat (the )?(pick ?up point|parcel locker)\b",
        r"待取件", r"可取件", r"待自取", r"自提点", r"代收点", r"驿站",
        r"\bdisponible para (recoger|recogida)\b", r"\blisto para recoger\b",
        r"\bdisponible en (oficina|punto)\b", r"\ben punto de recogida\b",
        r"\bdisponible en point relais\b", r"\bdisponible (au|en) bureau de poste\b",
        r"\bprêt à être retiré\b", r"\ben attente de retrait\b", r"\bà retirer\b",
        r"\bzur abholung\b", r"\babholbereit\b", r"\bpackstation\b",
        r"\baguardando retirada\b", r"\bdisponível para retirada\b",
        r"\bdisponibile per il ritiro\b", r"\bin giacenza\b", r"\bpronto per il ritiro\b",
        r"\bklaar om (op te halen|af te halen)\b", r"\bligt klaar\b", r"\bafhaalpunt\b",
        r"\bdo odbioru\b", r"\bawizo\b", r"\bw paczkomacie\b",
        r"\bприбыло в место вручения\b", r"\bожидает адресата\b", r"\bготово к выдаче\b",
    )),
    (_S.ATTEMPT_FAILED, "attempt_failed.recipient_absent", (
        r"\b(recipient|addressee|consignee) (was )?(not (at home|available|present)|absent)\b",
        r"\bno ?(one|body) (at )?home\b", r"\bnobody home\b", r"\bno one available\b",
        r"无人签收", r"收件人不在",
        r"\bdestinatario ausente\b", r"\bdestinataire absent\b", r"\bavis de passage\b",
        r"\bnicht angetroffen\b",
        r"\bdestinatário ausente\b", r"\bcarteiro não atendido\b",
        r"\bdestinatario assente\b",
        r"\bniet thuis\b",
        r"\badresat nieobecny\b",
        r"\bадресат отсутствует\b",
    )),
    (_S.ATTEMPT_FAILED, "attempt_failed.other", (
        r"\bnot delivered\b", r"\bundeliverable\b", r"\b(could|can) ?not be delivered\b",
        r"\bunable to deliver\b", r"\bdelivery attempt", r"\battempted delivery\b",
        r"\b(delivery (failed|unsuccessful)|(failed|unsuccessful|missed) delivery)\b",
        r"投递失败", r"派送失败", r"妥投失败", r"未妥投", r"派送不成功",
        r"\bintento de entrega\b", r"\bentrega fallida\b", r"\bno entregad[oa]\b",
        r"\btentative de livraison\b", r"\bnon livré(e)?\b", r"\béchec de (la )?livraison\b",
        r"\bzustellversuch\b", r"\bnicht zugestellt\b", r"\bkonnte nicht zugestellt\b",
        r"\btentativa de entrega\b", r"\bnão entregue\b",
        r"\btentativo di consegna\b", r"\bmancata consegna\b", r"\bnon consegnat[oa]\b",
        r"\bbezorgpoging\b", r"\bniet bezorgd\b", r"\bbezorging mislukt\b",
        r"\bpróba doręczenia\b", r"\bnie doręczono\b", r"\bnieudane doręczenie\b",
        r"\bнеудачная попытка вручения\b", r"\bпопытка вручения\b", r"\bне вручено\b",
    )),
    (_S.OUT_FOR_DELIVERY, "out_for_delivery.courier", (
        r"\bout for delivery\b", r"\bwith (the )?(delivery )?courier for delivery\b",
        r"\bon (the )?vehicle for delivery\b", r"\bdelivery (is )?in progress\b",
        r"\bwill be delivered today\b",
        r"派送中", r"正在派送", r"派件中", r"投递中", r"正在投递",
        r"\ben reparto\b", r"\bsalió a reparto\b", r"\ben ruta de entrega\b",
        r"\ben cours de livraison\b", r"\ben livraison\b",
        r"\bin zustellung\b", r"\bwird heute zugestellt\b", r"\bzustellfahrzeug\b",
        r"\bsaiu para entrega\b", r"\bem rota de entrega\b",
        r"\bin consegna\b", r"\bin distribuzione\b",
        r"\bbezorger is onderweg\b", r"\bwordt vandaag bezorgd\b", r"\bin bezorging\b",
        r"\bwydan[ay] do doręczenia\b", r"\bprzekazan[ay] do doręczenia\b",
        r"\bw doręczeniu\b",
        r"\bпередано почтальону\b", r"\bпередано курьеру\b", r"\bдоставляется курьером\b",
    )),
    (_S.DELIVERED, "delivered.recipient", (
        r"\bdelivered to (the )?(recipient|addressee|consignee|customer|neighbou?r)\b",
        r"\b(dem|an den) empfänger (persönlich )?übergeben\b",
    )),
    # --- Hand-overs between carriers ("delivered to airline" is not a delivery).
    (_S.IN_TRANSIT, "in_transit.handover", (
        (r"\b(handed|handing|delivered|transferred|tendered|passed) (over )?to (the )?"
         r"(airline|air carrier|carrier|line ?haul|partner|local|last ?mile|destination post"
         r"|postal|delivery (partner|company|service)|courier|[a-z]+ (post|posti|poste|postnl"
         r"|correos|dhl|dpd|gls|ups|fedex|usps))"),
        r"\bhand ?over to\b", r"\bhandover\b",
        r"交航", r"移交", r"交接", r"交给末端", r"交付航空",
        r"\bentregad[oa] a (la )?(aerolínea|transportista|operador)\b",
        r"\bremis(e)? (à|au) (la )?(compagnie aérienne|transporteur)\b",
        r"\bconfié(e)? (à|au)\b",
        r"\ban (die )?(fluggesellschaft|den transporteur|den zusteller)\b",
        r"\ban (?!den empfänger)[\w ]{2,40}? übergeben\b",
        r"\bübergeben an\b", r"\bübergabe an\b",
        r"\bentregue (à|a) (companhia aérea|transportadora)\b",
        r"\baffidat[oa] (a|al|alla)\b", r"\bconsegnat[oa] (al vettore|alla compagnia aerea)\b",
        r"\boverdragen aan\b", r"\bovergedragen aan\b",
        r"\bprzekazan[ay] (do )?(przewoźnikowi|przewoźnika|operatora|linii lotniczej)\b",
        r"\bпередано (перевозчику|авиаперевозчику|в авиакомпанию)\b",
    )),
    (_S.DELIVERED, "delivered.other", (
        r"(?<!will be )(?<!to be )\bdelivered\b", r"\bsigned (for|by)\b",
        r"\bdelivery (completed|complete|successful)\b",
        r"\bleft (with|at) (the )?(neighbou?r|front door|door|reception)\b",
        r"已签收", r"妥投", r"签收", r"已送达", r"投递成功", r"派送成功",
        r"\bentregad[oa]\b", r"\bentrega realizada\b",
        r"(?<!sera )(?<!va etre )\blivré(e)?\b", r"\bdistribué(e)?\b",
        r"\bzugestellt\b", r"\bzustellung erfolgreich\b",
        r"\bentregue\b",
        r"\bconsegnat[oa]\b",
        r"\bbezorgd\b", r"\bafgeleverd\b",
        r"\bdoręczon[oay]\b", r"\bodebran[ao]\b(?! od nadawcy)",
        r"\bвручено\b", r"\bвручение адресату\b", r"\bдоставлено\b",
    )),
    # --- Country-level milestones on the way.
    (_S.IN_TRANSIT, "in_transit.departed_origin", (
        (r"\b(departed|departure|left|leaving|dispatched|depart) (from )?(the )?"
         r"(origin|departure|export) (country|region)"),
        r"\b(departed|left|leaving) (from )?(the )?country of (origin|departure)\b",
        r"\boutward office of exchange\b", r"\bexport(ed)? from\b",
        r"离开始发国", r"离开出口国", r"已离开始发", r"离开中国", r"离开始发地国家",
        r"\bsalida del país de origen\b", r"\bsalido del país de origen\b",
        r"\bquitté le pays d (origine|expédition)\b",
        r"\b(ursprungsland|ausfuhrland|exportland) verlassen\b",
        r"\bsaiu do país de origem\b",
        r"\b(partit[oa] dal|lasciato il) paese di origine\b",
        r"\bland van herkomst verlaten\b", r"\bvertrokken uit het land van herkomst\b",
        r"\bopuściła kraj nadania\b", r"\bwysłan[ao] z kraju nadania\b",
        r"\bэкспорт международного отправления\b", r"\bпокинуло страну отправления\b",
        r"\bпокинуло место международного обмена\b",
    )),
    (_S.IN_TRANSIT, "in_transit.arrived_destination", (
        r"\b(arrived|arrival) (at|in) (the )?(destination|import) (country|region)",
        r"\b(arrived|arrival) (at|in) (the )?country of destination\b",
        r"\binward office of exchange\b",
        r"\b(arrived|arrival) (at|in) (the )?destination (airport|hub)\b",
        r"到达目的国", r"抵达目的国", r"到达目的地国家", r"已到达目的国",
        r"\bllegada al país de destino\b", r"\bllegado al país de destino\b",
        r"\barrivé(e)? dans le pays de destination\b",
        r"\b(im zielland|ankunft im zielland)\b",
        r"\bchegada ao país de destino\b", r"\brecebido pelos correios do brasil\b",
        r"\b(arrivat[oa]|arrivo) nel paese di destinazione\b",
        r"\b(aangekomen in|aankomst in) (het )?land van bestemming\b",
        r"\b(dotarła do|w) kraju przeznaczenia\b",
        r"\bприбыло в (россию|страну назначения)\b", r"\bимпорт международного отправления\b",
    )),
    # --- Before the carrier has the parcel.
    (_S.INFO_RECEIVED, "info_received.label_created", (
        r"\b(shipping )?label (created|printed)\b", r"\b(shipment )?information received\b",
        r"\belectronic (shipping )?(information|notification|data)\b", r"\bpre ?advice\b",
        r"\bawaiting (item|carrier pick ?up|shipment)\b", r"\bseller (has )?shipped\b",
        r"电子信息", r"已发货", r"等待揽收", r"待揽收", r"订单已创建",
        r"\binformación recibida\b", r"\betiqueta creada\b", r"\benvío registrado\b",
        r"\binformations reçues\b", r"\bétiquette créée\b", r"\bcolis annoncé\b",
        r"\belektronisch angekündigt\b", r"\belektronische ankündigung\b",
        r"\bsendungsdaten übermittelt\b",
        r"\betiqueta criada\b", r"\baguardando postagem\b",
        r"\binformazioni ricevute\b", r"\betichetta creata\b",
        r"\b(zending|pakket) (is )?aangemeld\b", r"\blabel aangemaakt\b",
        r"\bprzygotowan[ay] przez nadawcę\b", r"\betykieta utworzona\b",
        r"\bприсвоен трек номер\b", r"\bинформация получена\b",
    )),
    (_S.IN_TRANSIT, "in_transit.accepted", (
        r"\baccepted\b", r"\bacceptance\b", r"\bpicked up\b", r"\bpick ?up scan\b",
        r"\breceived by (the )?carrier\b", r"\bcollected from (the )?(seller|sender|shipper)\b",
        r"\bposted\b",
        r"已揽收", r"揽收成功", r"揽件", r"收寄",
        r"\badmitid[oa]\b", r"\baceptad[oa]\b", r"\brecogid[oa]\b",
        r"\bpris en charge\b",
        r"\beingeliefert\b", r"\babgeholt\b", r"\bangenommen\b", r"\bübernommen\b",
        r"\bpostad[oa]\b", r"\bcoletad[oa]\b",
        r"\baccettat[oa]\b", r"\bpresa in carico\b",
        r"\bingeleverd\b", r"\baangenomen\b", r"\bopgehaald\b",
        r"\bnadan[ay]\b", r"\bodebran[ay] od nadawcy\b", r"\bprzyjęt[ay]\b", r"\bprzyjęcie\b",
        r"\bприем\b", r"\bпринято\b",
    )),
    # --- Generic movement: recognised, but nothing more specific than "in transit".
    (_S.IN_TRANSIT, "in_transit.departed", (
        r"\b(departed|departure|dispatched|left|leaving)\b",
        r"离开", r"已发出", r"发往", r"航班起飞",
        r"\bsalida\b", r"\bha salido\b", r"\bdépart\b", r"\ba quitté\b",
        r"\bausgang\b", r"\babgang\b", r"\bverlassen\b",
        r"\bsaída\b", r"\bpartit[oa]\b", r"\bvertrokken\b", r"\bwysłan[aoy]\b",
        r"\bпокинуло\b", r"\bотправлено\b",
    )),
    (_S.IN_TRANSIT, "in_transit.arrived", (
        r"\b(arrived|arrival|received at)\b",
        r"到达", r"抵达",
        r"\bllegada\b", r"\bha llegado\b", r"\barrivé(e)?\b", r"\barrivée\b",
        r"\bangekommen\b", r"\beingetroffen\b", r"\bankunft\b",
        r"\bchegada\b", r"\bchegou\b", r"\barrivat[oa]\b", r"\baangekomen\b",
        r"\bdotarła\b", r"\bprzybył[ao]\b", r"\bприбыло\b",
    )),
    (_S.IN_TRANSIT, None, (
        r"\bin transit\b", r"\ben route\b", r"\bon (its|the) way\b", r"\bprocessed\b",
        r"\bsort(ing|ed)?\b", r"\btransit\b",
        r"运输中", r"转运", r"分拣", r"在途",
        r"\ben tránsito\b", r"\ben camino\b", r"\bclasificad[oa]\b",
        r"\ben cours d acheminement\b", r"\bacheminement\b", r"\btri\b",
        r"\bunterwegs\b", r"\bbearbeitet\b", r"\bpaketzentrum\b", r"\bsortiert\b",
        r"\bem trânsito\b", r"\bencaminhad[oa]\b", r"\bem transferência\b",
        r"\bin transito\b", r"\bin viaggio\b", r"\bin lavorazione\b",
        r"\bonderweg\b", r"\bgesorteerd\b", r"\bsorteercentrum\b",
        r"\bw drodze\b", r"\bsortowni\w*", r"\bw transporcie\b",
        r"\bв пути\b", r"\bсортировк\w*", r"\bсортировочн\w*",
    )),
)
# fmt: on

_COMPILED: tuple[tuple[Status, str | None, re.Pattern[str]], ...] = tuple(
    (status, sub, re.compile("|".join(f"(?:{strip_accents(p)})" for p in patterns)))
    for status, sub, patterns in _RULES
)

_UNMATCHED = Classification(Status.IN_TRANSIT, None, matched=False)


@lru_cache(maxsize=8192)
def _classify_normalized(text: str) -> Classification:
    """First matching rule for already-normalized text (cached: texts repeat a lot)."""
    for status, sub, pattern in _COMPILED:
        if pattern.search(text):
            return Classification(status, sub)
    return _UNMATCHED


def classify_text(text: str | None) -> Classification:
    """Classify one event description; unknown or empty text falls back to in_transit."""
    if not text or not isinstance(text, str):
        return _UNMATCHED
    normalized = normalize_text(text)
    if not normalized:
        return _UNMATCHED
    return _classify_normalized(normalized)
