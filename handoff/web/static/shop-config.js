/* Read by widget.js, so loaded before it: the demo resolves who is chatting before the widget connects (shop.js). */
'use strict';

window.DESKBOT_DEFER_CONNECT = true;
window.DESKBOT_TITLE = 'Harbor & Pine support';
